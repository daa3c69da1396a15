import Testing

@testable import CanonicalJSON

/// `PlainRun.end` finds the first byte a JSON string cannot hold as it is, sixteen bytes at a
/// time, then eight, then one. Every step must answer exactly as a byte-by-byte scan does,
/// wherever the special byte falls in a chunk and whatever precedes it.
@Suite struct PlainRunTests {
    /// The answer byte by byte: the first quote, backslash or byte below 0x20, and whether every
    /// byte before it is ASCII.
    static func reference(_ bytes: [UInt8], from start: Int) -> (end: Int, ascii: Bool) {
        var ascii = true
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        return (index, ascii)
    }

    @Test func everySpecialByteAtEveryOffsetOfEveryStart() {
        // Plain filler of both kinds (ASCII, and UTF-8 of 手), a special byte at each place.
        let fillers: [[UInt8]] = [Array(repeating: UInt8(ascii: "a"), count: 70), Array(String(repeating: "手", count: 24).utf8.prefix(70))]
        let specials: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x1F, 0x0A]
        // Bytes next to the specials' values that must not stop the scan.
        let harmless: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF]
        for filler in fillers {
            for special in specials {
                for place in 0..<filler.count {
                    var bytes = filler
                    bytes[place] = special
                    for start in [0, 1, 7, 15, 16, 17, 33] where start <= bytes.count {
                        let found = bytes.withUnsafeBytes { PlainRun.end(in: $0, from: start) }
                        let expected = Self.reference(bytes, from: start)
                        #expect(found.end == expected.end && found.ascii == expected.ascii,
                                "special \(special) at \(place), start \(start)")
                    }
                }
            }
            for byte in harmless {
                var bytes = filler
                bytes[40] = byte
                let found = bytes.withUnsafeBytes { PlainRun.end(in: $0, from: 3) }
                let expected = Self.reference(bytes, from: 3)
                #expect(found.end == expected.end && found.ascii == expected.ascii, "harmless \(byte)")
            }
        }
    }

    @Test func randomBuffersAgreeWithTheByteByByteScan() {
        // xorshift64 from a fixed seed: the same buffers every run.
        var generator = XorShift(state: 0x5EED)
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 80)
            let bytes = (0..<count).map { _ -> UInt8 in
                // Mostly plain bytes, a special or non-ASCII one now and then.
                switch generator.next() % 40 {
                case 0: UInt8(ascii: "\"")
                case 1: UInt8(ascii: "\\")
                case 2: UInt8(truncatingIfNeeded: generator.next() % 0x20)
                case 3, 4: 0x80 | UInt8(truncatingIfNeeded: generator.next() % 0x80)
                default: 0x20 + UInt8(truncatingIfNeeded: generator.next() % 0x5F)
                }
            }
            let start = count == 0 ? 0 : Int(generator.next() % UInt64(count + 1))
            let found = bytes.withUnsafeBytes { PlainRun.end(in: $0, from: start) }
            let expected = Self.reference(bytes, from: start)
            #expect(found.end == expected.end && found.ascii == expected.ascii, "\(bytes) from \(start)")
        }
    }

    @Test func anEmptyBufferEndsWhereItStarts() {
        let found = [UInt8]().withUnsafeBytes { PlainRun.end(in: $0, from: 0) }
        #expect(found.end == 0 && found.ascii)
    }
}

/// xorshift64 (Marsaglia): a deterministic stream, so the random cases repeat.
private struct XorShift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
