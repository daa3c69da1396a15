import CanonicalJSON
import LMDB
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
        #expect(KeyEncoding.key(.number(1), .string("x"), .tail("y")) == [0, 0, 0, 0, 0, 0, 0, 1] + Array("x".utf8) + [0] + Array("y".utf8))
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
                #expect(a.keyPrecedes(b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) < \(b)")
            }
            #expect(a.withUTF8Bytes { Array($0) } == Array(a.utf8))
        }
    }

    /// Sorting a batch's changed documents by key prefix first still gives LMDB's order,
    /// whatever the keys share: the same first 16 bytes, a key that is a prefix of another,
    /// NUL bytes where the prefix pads with zeros.
    @Test func documentsSortInLMDBKeyOrder() {
        var keys = ["", "a", "a\u{0}", "a\u{0}\u{0}", "01M8DDK5SSPCATNTH887HPEZ9A", "01M8DDK5SSPCATNTH887HPEZ9B", "01M8DDK5SSPCATNT",
                    "01M8DDK5SSPCATNTH", "01M8DDK5SSPCATN", "华为智能手机", "华为智能手机 Pro", "手机", "é", "\u{FFFF}", "😀"]
        var seed: UInt64 = 11
        for _ in 0..<300 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let alphabet = Array("ab\u{0}华")
            keys.append("01M8DDK5SSPCATNT" + String((0..<Int(seed >> 61)).map { alphabet[Int((seed >> UInt64(8 + $0 * 2)) % 4)] }))
        }
        let shuffled = keys.shuffled()
        var order = KeyOrder(capacity: 0)
        for key in shuffled { order.append(key) }
        #expect(order.order(tieBreak: { shuffled[$0].keyPrecedes(shuffled[$1]) }).map { shuffled[$0] }
            == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })

        let databases = ["orders", "byUser", "byStatus", "b"]
        let documents = keys.enumerated().map { DocumentKey(database: databases[$0.offset % databases.count], key: $0.element) }.shuffled()
        var documentOrder = KeyOrder(capacity: documents.count)
        for document in documents { documentOrder.append(document.key, group: document.database) }
        let sorted = documentOrder.order(tieBreak: { documents[$0].key.keyPrecedes(documents[$1].key) }).map { documents[$0] }
        let expected = documents.sorted {
            $0.database != $1.database ? Array($0.database.utf8).lexicographicallyPrecedes(Array($1.database.utf8))
                : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8))
        }
        #expect(sorted == expected)
    }
}
