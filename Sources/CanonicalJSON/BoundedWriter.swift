/// Writes JSON pieces straight into memory the caller provides — sized from the `max…`
/// functions (a log record), or room that grows whenever it was not enough (`bytes`,
/// `append`: a document) — for hot paths that write many small pieces, where appending each to
/// an array paid a capacity and uniqueness check and a call per piece (~30 ns here, against ~4
/// to copy a short literal).
///
/// The bytes are those `CanonicalJSON.writeString`, `writeInteger` and `member` append. A piece
/// that would not fit is not written and marks the writer `overflowed`: room that fell short
/// costs the caller a second try, never a write past the buffer.
public struct BoundedWriter: ~Copyable {
    // Visible to inlined code: the small writes (a byte, a member name, an array's brackets)
    // are inlined into the documents' writers in other modules; called, they cost more than
    // the appends they replace.
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var length = 0
    @usableFromInline var didOverflow = false

    /// The bytes written so far, from the start of the buffer.
    public var count: Int { length }
    /// Some piece did not fit (and was left out): what was written is not the whole.
    public var overflowed: Bool { didOverflow }

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The most bytes `string(_:)` writes for `value`: every byte escaped as `\u00XX`, and the
    /// quotes.
    public static func maxBytes(string value: String) -> Int { value.utf8.count * 6 + 2 }

    /// The most bytes `integer(_:)` writes: a sign and nineteen digits, or twenty digits.
    public static let maxIntegerBytes = 20

    public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<length]) }

    @inlinable
    public mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `size` more bytes fit; marks the writer overflowed when they do not.
    @inlinable
    mutating func fits(_ size: Int) -> Bool {
        guard size <= buffer.count - length else {
            didOverflow = true
            return false
        }
        return true
    }

    @inlinable
    public mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard fits(source.count) else { return }
        UnsafeMutableRawBufferPointer(rebasing: buffer[length..<length + source.count]).copyMemory(from: source)
        length += source.count
    }

    public mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBytes { bytes($0) }
    }

    @inlinable @inline(__always)
    public mutating func byte(_ value: UInt8) {
        guard fits(1) else { return }
        buffer[length] = value
        length += 1
    }

    /// `{"key":` (the first member) or `,"key":`, as `CanonicalJSON.member` writes it.
    /// Always inlined, like `byte`: left to the optimizer, both stayed calls in the events'
    /// payload writers (~80 instructions a member, eleven in an order placed).
    @inlinable @inline(__always)
    public mutating func member(_ key: StaticString, first: Bool = false) {
        let nameLength = key.utf8CodeUnitCount
        guard fits(nameLength + 4) else { return }
        buffer[length] = first ? UInt8(ascii: "{") : UInt8(ascii: ",")
        buffer[length + 1] = UInt8(ascii: "\"")
        UnsafeMutableRawBufferPointer(rebasing: buffer[length + 2..<length + 2 + nameLength])
            .copyMemory(from: UnsafeRawBufferPointer(start: key.utf8Start, count: nameLength))
        buffer[length + 2 + nameLength] = UInt8(ascii: "\"")
        buffer[length + 3 + nameLength] = UInt8(ascii: ":")
        length += nameLength + 4
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        if value { literal("true") } else { literal("false") }
    }

    /// `[a,b,…]`, each element written by `element`.
    @inlinable
    public mutating func array<T>(_ values: [T], _ element: (T, inout BoundedWriter) -> Void) {
        byte(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            element(value, &self)
        }
        byte(UInt8(ascii: "]"))
    }

    /// Lets `fill` write exactly `size` bytes in place (a fixed-width form such as a time).
    public mutating func slot(_ size: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        guard fits(size) else { return }
        fill(UnsafeMutableRawBufferPointer(rebasing: buffer[length..<length + size]))
        length += size
    }

    /// `value` as a JSON string, escaped as `CanonicalJSON.writeString` does.
    public mutating func string(_ value: String) {
        byte(UInt8(ascii: "\""))
        value.withUTF8Bytes { escaped($0) }
        byte(UInt8(ascii: "\""))
    }

    /// `raw`'s bytes with the characters JSON must escape escaped (no quotes).
    private mutating func escaped(_ raw: UnsafeRawBufferPointer) {
        var runStart = 0
        while true {
            let end = PlainRun.end(in: raw, from: runStart).end
            if runStart < end { bytes(UnsafeRawBufferPointer(rebasing: raw[runStart..<end])) }
            guard end < raw.count else { break }
            runStart = end + 1
            bytes(CanonicalJSON.escapeSequences[Int(raw[end])])
        }
    }

    /// `value` in decimal, as `CanonicalJSON.writeInteger` writes it.
    public mutating func integer(_ value: Int64) {
        let digits = Self.digitCount(value.magnitude)
        guard fits(digits + (value < 0 ? 1 : 0)) else { return }
        if value < 0 { byte(UInt8(ascii: "-")) }
        writeDigits(value.magnitude, length: digits)
    }

    /// `value` in decimal.
    public mutating func integer(_ value: UInt64) {
        let digits = Self.digitCount(value)
        guard fits(digits) else { return }
        writeDigits(value, length: digits)
    }

    private static func digitCount(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    /// The `digits` decimal digits of `value`, where `fits` has made room for them.
    private mutating func writeDigits(_ value: UInt64, length digits: Int) {
        var magnitude = value
        var index = length + digits
        length = index
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// `bytes` as lowercase hex, two characters each.
    public mutating func hex(_ source: [UInt8]) {
        guard fits(2 * source.count) else { return }
        writeHex(source, at: length)
        length += 2 * source.count
    }

    /// Lowercase hex of `source` over bytes already written, from `offset`.
    public mutating func hex(_ source: [UInt8], at offset: Int) {
        guard offset >= 0, 2 * source.count <= length - offset else {
            didOverflow = true
            return
        }
        writeHex(source, at: offset)
    }

    /// The hex digits of `source` from `offset`, where the caller has checked there is room.
    /// Four bytes at a time, as one 8-byte store: every record's two hashes go through here on
    /// the writer, where a table lookup and a checked store per digit were ~21 instructions a
    /// byte (callgrind, 2026-11-28).
    private func writeHex(_ source: [UInt8], at offset: Int) {
        source.withUnsafeBytes { input in
            var read = 0
            var index = offset
            while read &+ 4 <= input.count {
                let word = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: read, as: UInt32.self))
                buffer.storeBytes(of: Self.hexDigits(of: word).littleEndian, toByteOffset: index, as: UInt64.self)
                read &+= 4
                index &+= 8
            }
            let digits = CanonicalJSON.hexDigits
            while read < input.count {
                let value = input[read]
                buffer[index] = digits[Int(value >> 4)]
                buffer[index &+ 1] = digits[Int(value & 0x0F)]
                read &+= 1
                index &+= 2
            }
        }
    }

    /// The eight lowercase hex digits of four bytes (the first in the lowest bits), the first
    /// byte's high digit in the lowest byte of the result.
    private static func hexDigits(of word: UInt32) -> UInt64 {
        // Byte i of `word` to byte 2i, then its high nibble stays there and its low one moves
        // up to byte 2i + 1.
        var spread = UInt64(word)
        spread = (spread | (spread << 16)) & 0x0000_FFFF_0000_FFFF
        spread = (spread | (spread << 8)) & 0x00FF_00FF_00FF_00FF
        let nibbles = ((spread >> 4) & 0x000F_000F_000F_000F) | ((spread & 0x000F_000F_000F_000F) << 8)
        // A nibble of 10 or more has bit 4 set once 6 is added: those take 'a' - 10, not '0'.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
    }
}

extension BoundedWriter {
    /// What `write` writes, as a new array: written into scratch memory, starting with
    /// `sizeHint` bytes of room and four times more whenever it did not fit, then copied into
    /// an array of its size. Not into the array's own memory: `[UInt8](unsafeUninitialized
    /// Capacity:)` allocates through a standard-library function that reaches us unspecialized
    /// and looks up the array storage's metadata on every call (~670 instructions, against ~380
    /// for the copy into an array of an order placed's size: callgrind, 2026-11-28).
    public static func bytes(sizeHint: Int = 1024, _ write: (inout BoundedWriter) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out, sizeHint: sizeHint, write)
        return out
    }

    /// Appends what `write` writes to `out`, through scratch memory (an array cannot be written
    /// past its count).
    public static func append(to out: inout [UInt8], sizeHint: Int = 1024, _ write: (inout BoundedWriter) -> Void) {
        var room = max(sizeHint, 64)
        while true {
            let complete = withUnsafeTemporaryAllocation(byteCount: room, alignment: 1) { memory -> Bool in
                var writer = BoundedWriter(memory)
                write(&writer)
                guard !writer.overflowed else { return false }
                out.append(contentsOf: writer.written)
                return true
            }
            if complete { return }
            room *= 4
        }
    }
}

/// A document or a part of one that writes its compact JSON (the bytes its `Encodable`
/// conformance gives through `CompactJSONEncoder`) through a `BoundedWriter`: for the largest
/// documents, written on every change (an order's), where each piece appended to an array cost
/// a capacity and uniqueness check and a call. The array form comes with it: written into
/// scratch memory and appended whole; at the top level (`compactJSONBytes`, which
/// `CompactJSONEncoder` calls) straight into the array it returns.
public protocol BoundedCompactJSONRepresentable: CompactJSONRepresentable {
    func writeCompactJSON(into out: inout BoundedWriter)
}

extension BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        BoundedWriter.append(to: &out) { writeCompactJSON(into: &$0) }
    }

    /// Straight into the array it returns.
    public func compactJSONBytes() -> [UInt8] {
        BoundedWriter.bytes { writeCompactJSON(into: &$0) }
    }
}
