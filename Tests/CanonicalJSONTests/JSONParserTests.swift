import CanonicalJSON
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func separatesIntegersFromOtherNumbers() throws {
        #expect(try parse("12") == .int(12))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("1e308") == .double(1e308))
        #expect(try parse("1E2") == .double(100))
        // Beyond Int64: not an integer we can hold.
        #expect(try parse("99999999999999999999") == .double(1e20))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\u00e9\ud83d\ude00\n\/""#) == .string("aé😀\n/"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "\"\\udc00x\"",
        "{} x", "{\"a\" 1}", "[1 2]", "NaN", "'a'",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func limitsNestingDepth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(try parse(fine) != .null)
    }

    @Test func lastDuplicateMemberWins() throws {
        #expect(try parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }
}
