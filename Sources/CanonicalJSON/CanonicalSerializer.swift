/// RFC 8785 (JSON Canonicalization Scheme) serialization.
///
/// Object members are sorted by the UTF-16 code units of their names, strings are escaped as
/// ECMAScript's `JSON.stringify` does (only `"`, `\` and control characters; everything else as
/// raw UTF-8), and no whitespace is written. Integers print in decimal. Non-integer numbers are
/// refused: OrderLog's records hold none, and their canonical form is a source of disagreement
/// between implementations.
public enum CanonicalJSON {
    public struct NonIntegerNumber: Error, CustomStringConvertible {
        public var description: String { "a non-integer number cannot be canonicalized" }
    }

    /// The canonical bytes of `value`.
    public static func serialize(_ value: JSONValue) throws(NonIntegerNumber) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(value, into: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) throws(NonIntegerNumber) {
        switch value {
        case .null: out.append(contentsOf: nullBytes)
        case .bool(let b): out.append(contentsOf: b ? trueBytes : falseBytes)
        case .int(let i): writeInteger(i, into: &out)
        case .double: throw NonIntegerNumber()
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            try writeArray(elements, into: &out) { (element, out: inout [UInt8]) throws(NonIntegerNumber) in try write(element, into: &out) }
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { utf16Precedes($0.key, $1.key) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 §3.2.3: member names compare as arrays of UTF-16 code units.
    public static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        // UTF-8 byte order is code point order, which differs from UTF-16 order only between
        // U+E000…U+FFFF and the supplementary planes. Where the first difference is between two
        // ASCII bytes, everything before it is equal and the UTF-8 verdict stands; otherwise
        // (rare: OrderLog's member names are ASCII) compare in UTF-16.
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x == y { continue }
                if x < 0x80 && y < 0x80 { return x < y }
                return a.utf16.lexicographicallyPrecedes(b.utf16)
            }
        }
    }

    public static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    public static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        string.withUTF8Bytes { raw in
            var runStart = 0
            while true {
                // Plain runs are copied whole, found eight bytes at a time.
                let end = PlainRun.end(in: raw, from: runStart).end
                if runStart < end { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart..<end])) }
                guard end < raw.count else { break }
                runStart = end + 1
                out.append(contentsOf: escapeSequences[Int(raw[end])])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The escaped form of each byte a plain run stops at (`"`, `\\` and the control
    /// characters), indexed by the byte; empty for every other byte.
    static let escapeSequences: [[UInt8]] = (0..<256).map { value -> [UInt8] in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): return [UInt8(ascii: "\\"), byte]
        case 0x08: return Array(#"\b"#.utf8)
        case 0x0C: return Array(#"\f"#.utf8)
        case 0x0A: return Array(#"\n"#.utf8)
        case 0x0D: return Array(#"\r"#.utf8)
        case 0x09: return Array(#"\t"#.utf8)
        case 0..<0x20: return Array(#"\u00"#.utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        default: return []
        }
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    static let hexDigits = Array("0123456789abcdef".utf8)
}
