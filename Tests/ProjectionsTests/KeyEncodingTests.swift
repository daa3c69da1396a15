@testable import Projections
import Testing

/// Read-model keys, byte for byte: strings with their 0x00 separator, tails without, numbers
/// big-endian, inverted numbers counting down; and in the order the lists rely on.
@Suite struct KeyEncodingTests {
    @Test func partsAreLaidOutAsDocumented() {
        let user = "01M8DDK5SSPCATNTH887HPEZ9A"
        #expect(KeyEncoding.key(.string(user), .string("paid"), .inverted(7), .tail("ORDER-1"))
            == Array(user.utf8) + [0] + Array("paid".utf8) + [0] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF8] + Array("ORDER-1".utf8))
        #expect(KeyEncoding.key(.number(0x0102_0304_0506_0708)) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(KeyEncoding.key(.string(""), .tail("")) == [0])
        #expect(KeyEncoding.key() == [])
        // Multi-byte text and a long (heap) string are copied whole.
        let long = String(repeating: "华为智能手机", count: 20)
        #expect(KeyEncoding.key(.tail(long), .string("手")) == Array(long.utf8) + Array("手".utf8) + [0])
        #expect(KeyEncoding.key(.string("a")) == KeyEncoding.stringPrefix("a"))
    }

    @Test func invertedPositionsSortNewestFirstAndNumbersInOrder() {
        let positions: [UInt64] = [0, 1, 255, 256, 65_535, 1 << 32, UInt64.max - 1, UInt64.max]
        let inverted = positions.map { KeyEncoding.key(.string("u"), .inverted($0)) }
        #expect(inverted == inverted.sorted { $0.lexicographicallyPrecedes($1) }.reversed())
        let plain = positions.map { KeyEncoding.key(.number($0)) }
        #expect(plain == plain.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// A batch's changed documents are written in LMDB's key order, compared in place.
    @Test func stringsCompareAsTheirUTF8Bytes() {
        var strings = ["", "a", "ab", "b", "aa", "A", "z", "order-01", "order-1", "order-01M8DDK5SSPCATNTH887HPEZ9A",
                       "order-01M8DDK5SSPCATNTH887HPEZ9B", "华为", "华为智能手机", "手机", "é", "e\u{301}", "\u{7F}", "\u{80}", "😀", "\u{FFFF}",
                       String(repeating: "x", count: 15), String(repeating: "x", count: 16), String(repeating: "华", count: 40)]
        var seed: UInt64 = 7
        for _ in 0..<200 {  // random short keys over a small alphabet, so many share prefixes
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let alphabet = Array("ab华0-")
            strings.append(String((0..<Int(seed >> 60)).map { alphabet[Int((seed >> UInt64(8 + $0 * 3)) % UInt64(alphabet.count))] }))
        }
        for a in strings {
            for b in strings {
                #expect(a.utf8Precedes(b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) < \(b)")
            }
            #expect(a.withUTF8Bytes { Array($0) } == Array(a.utf8))
        }
    }
}
