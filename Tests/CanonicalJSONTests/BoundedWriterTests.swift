import CanonicalJSON
import Testing

/// The bounded writer writes the bytes the array writers append, within the bounds it states.
@Suite struct BoundedWriterTests {
    /// Writes with a buffer exactly `bound` bytes long, which must be enough.
    func written(bound: Int, _ body: (inout BoundedWriter) -> Void) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: bound)
        let (count, overflowed) = buffer.withUnsafeMutableBytes { memory in
            var writer = BoundedWriter(memory)
            body(&writer)
            return (writer.count, writer.overflowed)
        }
        #expect(!overflowed, "a bound of \(bound) bytes was not enough")
        return Array(buffer[..<count])
    }

    @Test func stringsAsTheArrayWriterWritesThem() {
        var state: UInt64 = 7
        // A fixed linear congruential sequence, so a failure repeats.
        func random(below bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        var strings = ["", "a", "华为智能手机 Pro", "q\"b\\s/\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}é\u{2028}😀", String(repeating: "\u{1}", count: 40)]
        // Every byte below 0x80 at every offset of a word, and random mixes of the escaped ones.
        for byte in UInt8(0)..<0x80 {
            for offset in 0..<10 { strings.append(String(repeating: "x", count: offset) + String(decoding: [byte], as: UTF8.self) + "tail-of-it") }
        }
        for _ in 0..<500 {
            let pieces = (0..<random(below: 40)).map { _ in ["a", "\"", "\\", "\n", "\u{0}", "手", "😀", "plain text"][random(below: 8)] }
            strings.append(pieces.joined())
        }
        for string in strings {
            var expected: [UInt8] = []
            CanonicalJSON.writeString(string, into: &expected)
            #expect(written(bound: BoundedWriter.maxBytes(string: string)) { $0.string(string) } == expected, "\(string.debugDescription)")
        }
        // The bound is reached: a string of control characters escapes every byte to six.
        #expect(written(bound: BoundedWriter.maxBytes(string: "\u{1}\u{2}")) { $0.string("\u{1}\u{2}") }.count == 14)
    }

    @Test func integersAsTheArrayWriterWritesThem() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power]
        }
        var state: UInt64 = 11
        for _ in 0..<1000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Int64(bitPattern: state) >> (state >> 58))
        }
        for value in values {
            var expected: [UInt8] = []
            CanonicalJSON.writeInteger(value, into: &expected)
            #expect(written(bound: BoundedWriter.maxIntegerBytes) { $0.integer(value) } == expected, "\(value)")
        }
    }

    @Test func membersBoolsArraysAndSlotsAsTheArrayWritersWriteThem() {
        var expected: [UInt8] = []
        CanonicalJSON.member("first", first: true, into: &expected)
        CanonicalJSON.writeBool(true, into: &expected)
        CanonicalJSON.member("list", into: &expected)
        CanonicalJSON.writeArray([Int64(1), -2, 3], into: &expected) { value, out in CanonicalJSON.writeInteger(value, into: &out) }
        CanonicalJSON.member("none", into: &expected)
        CanonicalJSON.writeArray([Int64](), into: &expected) { value, out in CanonicalJSON.writeInteger(value, into: &out) }
        CanonicalJSON.member("no", into: &expected)
        CanonicalJSON.writeBool(false, into: &expected)
        CanonicalJSON.member("at", into: &expected)
        RFC3339.write(millis: 1_795_593_600_123, into: &expected)
        expected.append(UInt8(ascii: "}"))
        let bytes = written(bound: expected.count) { writer in
            writer.member("first", first: true)
            writer.bool(true)
            writer.member("list")
            writer.array([Int64(1), -2, 3]) { value, out in out.integer(value) }
            writer.member("none")
            writer.array([Int64]()) { value, out in out.integer(value) }
            writer.member("no")
            writer.bool(false)
            writer.member("at")
            RFC3339.write(millis: 1_795_593_600_123, into: &writer)
            writer.byte(UInt8(ascii: "}"))
        }
        #expect(bytes == expected)
        // Unsigned integers to the last digit.
        for value: UInt64 in [0, 9, 10, UInt64(Int64.max), UInt64(Int64.max) + 1, .max] {
            #expect(written(bound: BoundedWriter.maxIntegerBytes) { $0.integer(value) } == Array(String(value).utf8))
        }
    }

    /// Writes that outgrow their first room are written again in more, whole.
    @Test func bytesAndAppendRetryInMoreRoom() {
        let long = String(repeating: "华为智能手机", count: 400)
        var expected: [UInt8] = []
        CanonicalJSON.writeString(long, into: &expected)
        #expect(BoundedWriter.bytes(sizeHint: 16) { $0.string(long) } == expected)
        var appended: [UInt8] = [1, 2]
        BoundedWriter.append(to: &appended, sizeHint: 16) { $0.string(long) }
        #expect(appended == [1, 2] + expected)
        #expect(BoundedWriter.bytes { _ in }.isEmpty)
    }

    @Test func literalsBytesAndHex() {
        let digest: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]
        let bytes = written(bound: 40) { writer in
            writer.literal(#"{"h":""#)
            let at = writer.count
            writer.bytes([UInt8](repeating: UInt8(ascii: "0"), count: 12))
            writer.byte(UInt8(ascii: "\""))
            writer.hex(digest)
            writer.hex([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], at: at)
        }
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"h":"ffffffffffff"00017f80abff"#)
    }

    /// Hex is written four bytes at a time, then byte by byte: every byte value, at every
    /// position of a four-byte step and in the tail, against digits looked up a nibble at a time.
    @Test func hexOfEveryByteValueAtEveryPosition() {
        let digits = Array("0123456789abcdef".utf8)
        func reference(_ bytes: [UInt8]) -> [UInt8] { bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] } }
        for length in 0...9 {
            for value in 0...255 {
                for place in 0..<max(length, 1) where place < length || length == 0 {
                    var source = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
                    if length > 0 { source[place] = UInt8(value) }
                    let bytes = written(bound: 2 * length) { $0.hex(source) }
                    #expect(bytes == reference(source), "\(source)")
                }
            }
        }
    }
}

extension BoundedWriterTests {
    /// A piece that does not fit is left out whole and marks the writer; the bytes past the
    /// buffer (here, the rest of a larger array) are never touched.
    @Test func aPieceThatDoesNotFitIsLeftOut() {
        var memory = [UInt8](repeating: 0xEE, count: 16)
        let (count, overflowed, rest) = memory.withUnsafeMutableBytes { all in
            var writer = BoundedWriter(UnsafeMutableRawBufferPointer(rebasing: all[..<6]))
            writer.literal("ab")
            var results = [writer.overflowed]
            writer.integer(Int64(-12_345))
            results.append(writer.overflowed)
            writer.hex([1, 2], at: 0)
            return (writer.count, results, Array(all[6...]))
        }
        #expect(count == 2 && overflowed == [false, true])
        #expect(rest.allSatisfy { $0 == 0xEE })
        for write in [{ (w: inout BoundedWriter) in w.string("toolong") }, { $0.bytes([1, 2, 3, 4, 5]) }, { $0.hex([1, 2, 3]) },
                      { $0.hex([1, 2], at: 1) }, { $0.byte(0) }] {
            var small = [UInt8](repeating: 0xEE, count: 4)
            let marked = small.withUnsafeMutableBytes { all in
                var writer = BoundedWriter(UnsafeMutableRawBufferPointer(rebasing: all[..<3]))
                writer.literal("xyz")
                write(&writer)
                return writer.overflowed && writer.count <= 3
            }
            #expect(marked && small[3] == 0xEE)
        }
    }
}
