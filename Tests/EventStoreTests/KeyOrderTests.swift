import LMDB
import Testing

/// `keyPrecedes`/`keyOrder` sort keys before a batch writes them, so they must agree with LMDB's
/// own order: bytes compared as unsigned, a proper prefix first.
@Suite struct KeyOrderTests {
    @Test func aProperPrefixSortsFirstAndBytesCompareUnsigned() {
        #expect([UInt8]().keyPrecedes([0]))
        #expect([1, 2].keyPrecedes([1, 2, 0]))
        #expect(![1, 2, 0].keyPrecedes([1, 2]))
        #expect([0x7F].keyPrecedes([0x80]))  // unsigned: 0x80 is not negative
        #expect(![1, 2, 3].keyPrecedes([1, 2, 3]))
        [UInt8]([1, 2]).withUnsafeBytes { a in
            [UInt8]([1, 2]).withUnsafeBytes { b in #expect(a.keyOrder(b) == 0) }
            [UInt8]([1, 3]).withUnsafeBytes { b in #expect(a.keyOrder(b) < 0 && b.keyOrder(a) > 0) }
        }
    }

    /// The same order as the standard library's element-by-element comparison it replaced, over
    /// short keys from a small alphabet (so prefixes and ties are common).
    @Test func agreesWithLexicographicOrderOnRandomKeys() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet: [UInt8] = [0x00, 0x01, 0x41, 0x7F, 0x80, 0xFF]
        func key() -> [UInt8] { (0..<Int(next() % 6)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] } }
        for _ in 0..<20_000 {
            let a = key()
            let b = key()
            #expect(a.keyPrecedes(b) == a.lexicographicallyPrecedes(b), "\(a) \(b)")
        }
        let keys = (0..<2_000).map { _ in key() }
        #expect(keys.sorted { $0.keyPrecedes($1) } == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
