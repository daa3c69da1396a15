import CanonicalJSON
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

    @Test(arguments: ["2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-25 08:00:00Z", "2026-11-25T08:00:00", "x", "2026-11-25T24:00:00Z"])
    func rejectsMalformed(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
