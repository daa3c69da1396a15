@testable import Application
import Domain
import Testing

/// ULIDs as the spec writes them: 26 Crockford base32 characters, 48 bits of milliseconds then
/// 80 bits that count up within a millisecond.
@Suite struct IdGeneratorTests {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The 128 bits an id spells, as (top 64, bottom 64), decoded independently of the encoder.
    static func decode(_ id: String) throws -> (high: UInt64, low: UInt64) {
        let chars = Array(id.utf8)
        try #require(chars.count == 26)
        var high: UInt64 = 0
        var low: UInt64 = 0
        for char in chars {
            let value = UInt64(try #require(alphabet.firstIndex(of: char)))
            // 130 bits shifted in five at a time; the first character's top two are zero.
            high = high << 5 | low >> 59
            low = low << 5 | value
        }
        return (high, low)
    }

    @Test func idsSpellTheirMillisecondAndCountUpWithinIt() throws {
        let clock = ManualClock(Timestamp(millis: 1_795_593_600_123))
        let ids = ULIDGenerator(clock: clock)
        var previous: (high: UInt64, low: UInt64)?
        var minted: [String] = []
        for step in 0..<2_000 {
            if step % 500 == 499 { clock.advance(seconds: 1) }
            let id = ids.next()
            minted.append(id)
            let bits = try Self.decode(id)
            // The top 48 of the 128 bits are the milliseconds.
            #expect(bits.high >> 16 == UInt64(clock.now().millis))
            if let previous, step % 500 != 499 {
                // Within a millisecond the 80 random bits go up by exactly one.
                let (low, carry) = previous.low.addingReportingOverflow(1)
                #expect(bits.low == low && bits.high == previous.high + (carry ? 1 : 0))
            }
            previous = bits
        }
        // So they sort in the order they were minted, and none repeats.
        #expect(minted == minted.sorted() && Set(minted).count == minted.count)
    }

    /// The encoder against the independent decoder, for bit patterns that put a one (and a
    /// zero) in every position of the 128.
    @Test func everyBitLandsWhereTheSpecPutsIt() throws {
        var patterns: [(millis: UInt64, high: UInt16, low: UInt64)] = [(0, 0, 0), (1 << 48 - 1, .max, .max)]
        for bit in 0..<48 { patterns += [(1 << UInt64(bit), 0, 0), (1 << 48 - 1 ^ 1 << UInt64(bit), .max, .max)] }
        for bit in 0..<16 { patterns += [(0, 1 << UInt16(bit), 0), (1 << 48 - 1, .max ^ 1 << UInt16(bit), .max)] }
        for bit in 0..<64 { patterns += [(0, 0, 1 << UInt64(bit)), (1 << 48 - 1, .max, .max ^ 1 << UInt64(bit))] }
        for pattern in patterns {
            let bits = try Self.decode(ULIDGenerator.encode(millis: pattern.millis, high: pattern.high, low: pattern.low))
            #expect(bits.high == pattern.millis << 16 | UInt64(pattern.high) && bits.low == pattern.low, "\(pattern)")
        }
    }

    @Test func randomPartsDifferBetweenMilliseconds() throws {
        let clock = ManualClock(Timestamp(millis: 1_000))
        let ids = ULIDGenerator(clock: clock)
        var randoms: Set<String> = []
        for _ in 0..<200 {
            clock.set(Timestamp(millis: clock.now().millis + 1))
            randoms.insert(String(ids.next().dropFirst(10)))
        }
        #expect(randoms.count == 200)
    }
}
