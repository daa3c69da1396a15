/// Writes canonical JSON pieces straight into memory the caller has made large enough, with
/// the sizes from its `max…` functions: for a hot path that writes many small pieces (a log
/// record has a dozen), where appending each to an array paid a capacity and uniqueness check
/// per piece.
///
/// The bytes are those `CanonicalJSON.writeString` and `writeInteger` append. A piece that
/// would not fit is not written and marks the writer `overflowed`: a bound that fell short
/// costs the caller a second try, never a write past the buffer.
public struct BoundedWriter: ~Copyable {
    private let buffer: UnsafeMutableRawBufferPointer
    /// The bytes written so far, from the start of the buffer.
    public private(set) var count = 0
    /// Some piece did not fit (and was left out): what was written is not the whole.
    public private(set) var overflowed = false

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The most bytes `string(_:)` writes for `value`: every byte escaped as `\u00XX`, and the
    /// quotes.
    public static func maxBytes(string value: String) -> Int { value.utf8.count * 6 + 2 }

    /// The most bytes `integer(_:)` writes: a sign and nineteen digits.
    public static let maxIntegerBytes = 20

    public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

    public mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `size` more bytes fit; marks the writer overflowed when they do not.
    private mutating func fits(_ size: Int) -> Bool {
        guard size <= buffer.count - count else {
            overflowed = true
            return false
        }
        return true
    }

    public mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard fits(source.count) else { return }
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<count + source.count]).copyMemory(from: source)
        count += source.count
    }

    public mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBytes { bytes($0) }
    }

    public mutating func byte(_ value: UInt8) {
        guard fits(1) else { return }
        buffer[count] = value
        count += 1
    }

    /// `value` as a JSON string, escaped as `CanonicalJSON.writeString` does.
    public mutating func string(_ value: String) {
        byte(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            var runStart = 0
            while true {
                let end = PlainRun.end(in: raw, from: runStart).end
                if runStart < end { bytes(UnsafeRawBufferPointer(rebasing: raw[runStart..<end])) }
                guard end < raw.count else { break }
                runStart = end + 1
                bytes(CanonicalJSON.escapeSequences[Int(raw[end])])
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// `value` in decimal, as `CanonicalJSON.writeInteger` writes it.
    public mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        guard fits(digits + (value < 0 ? 1 : 0)) else { return }
        if value < 0 { byte(UInt8(ascii: "-")) }
        var index = count + digits
        count = index
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// `bytes` as lowercase hex, two characters each.
    public mutating func hex(_ source: [UInt8]) {
        guard fits(2 * source.count) else { return }
        let digits = CanonicalJSON.hexDigits
        for value in source {
            buffer[count] = digits[Int(value >> 4)]
            buffer[count + 1] = digits[Int(value & 0x0F)]
            count += 2
        }
    }

    /// Lowercase hex of `source` over bytes already written, from `offset`.
    public mutating func hex(_ source: [UInt8], at offset: Int) {
        guard offset >= 0, 2 * source.count <= count - offset else {
            overflowed = true
            return
        }
        let digits = CanonicalJSON.hexDigits
        var index = offset
        for value in source {
            buffer[index] = digits[Int(value >> 4)]
            buffer[index + 1] = digits[Int(value & 0x0F)]
            index += 2
        }
    }
}
