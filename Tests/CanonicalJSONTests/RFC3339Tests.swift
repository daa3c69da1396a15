import CanonicalJSON
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test func formatsAndParses() {
        let millis: Int64 = 1_795_593_600_123  // 2026-11-25T08:00:00.123Z
        #expect(RFC3339.format(millis: millis) == "2026-11-25T08:00:00.123Z")
        #expect(RFC3339.formatSeconds(millis: millis) == "2026-11-25T08:00:00Z")
        #expect(RFC3339.formatDay(millis: millis) == "2026-11-25")
        #expect(RFC3339.parse("2026-11-25T08:00:00.123Z") == millis)
        #expect(RFC3339.parse("2026-11-25T08:00:00Z") == millis - 123)
        #expect(RFC3339.parse("2026-11-25T16:00:00+08:00") == millis - 123)
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.format(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
    }

    /// Against Foundation's formatter (an independent calendar), across four centuries and
    /// every part of a day: the digits placed by hand must be the same.
    @Test func formatsAsFoundationDoes() {
        // Whole seconds from Foundation (its fractions go through a `Double`), the milliseconds
        // by arithmetic.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // 1970 to 2369, to the millisecond.
            let millis = Int64(state >> 11) % 12_623_040_000_000
            let seconds = formatter.string(from: Date(timeIntervalSince1970: Double(millis / 1000)))
            let fraction = String(millis % 1000 + 1000).dropFirst()
            let expected = String(seconds.prefix(19)) + "." + String(fraction) + "Z"
            #expect(RFC3339.format(millis: millis) == expected, "\(millis)")
            #expect(RFC3339.formatSeconds(millis: millis) == String(expected.prefix(19)) + "Z", "\(millis)")
            #expect(RFC3339.formatDay(millis: millis) == String(expected.prefix(10)), "\(millis)")
            var written: [UInt8] = Array("x".utf8)
            RFC3339.write(millis: millis, into: &written)
            #expect(written == Array(("x" + expected).utf8), "\(millis)")
            #expect(RFC3339.parse(expected) == millis, "\(millis)")
        }
    }

    /// Parsing bytes in place agrees with parsing the string, for good and bad input.
    @Test(arguments: ["2026-11-25T08:00:00.123Z", "2026-11-25T16:00:00+08:00", "2026-11-25T08:00:00Z", "2026-02-30T00:00:00Z", "2026-11-25T08:00:00",
                      "2026-11-25T08:00:00.Z", "2026-11-25T08:00:00.123456Z", "２026-11-25T08:00:00Z"])
    func parsesBytesAsItParsesStrings(_ text: String) {
        let fromBytes = Array(text.utf8).withUnsafeBytes { RFC3339.parse(utf8: $0) }
        #expect(fromBytes == RFC3339.parse(text))
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-25 08:00:00Z", "2026-11-25T08:00:00", "x", "2026-11-25T24:00:00Z"])
    func rejectsMalformed(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
