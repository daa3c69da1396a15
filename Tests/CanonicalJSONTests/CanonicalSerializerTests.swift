import CanonicalJSON
import Testing

@Suite struct CanonicalSerializerTests {
    func canonical(_ value: JSONValue) throws -> String {
        String(decoding: try CanonicalJSON.serialize(value), as: UTF8.self)
    }

    @Test func sortsMembersAndWritesNoWhitespace() throws {
        let value: JSONValue = ["b": 1, "a": ["z": true, "y": nil], "c": [3, "x"]]
        #expect(try canonical(value) == #"{"a":{"y":null,"z":true},"b":1,"c":[3,"x"]}"#)
    }

    @Test func sortsByUTF16CodeUnitsNotScalars() throws {
        // U+1F600 is the surrogate pair D83D DE00; U+FF71 is one unit FF71. UTF-16 order puts the
        // emoji first, code-point order the other way round (RFC 8785 §3.2.3).
        let value: JSONValue = .object(["\u{FF71}": 1, "😀": 2, "a": 0])
        #expect(try canonical(value) == "{\"a\":0,\"😀\":2,\"\u{FF71}\":1}")
    }

    @Test func escapesOnlyWhatECMAScriptEscapes() throws {
        let value: JSONValue = .string("q\"b\\s/\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}é手机\u{2028}")
        #expect(try canonical(value) == "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7F}é手机\u{2028}\"")
    }

    @Test func printsIntegersExactly() throws {
        #expect(try canonical(.int(0)) == "0")
        #expect(try canonical(.int(-42)) == "-42")
        #expect(try canonical(.int(9_007_199_254_740_991)) == "9007199254740991")
        #expect(try canonical(.int(Int64.min)) == "-9223372036854775808")
    }

    @Test func refusesNonIntegerNumbers() {
        #expect(throws: CanonicalJSON.NonIntegerNumber.self) { try CanonicalJSON.serialize(["x": .double(1.5)]) }
    }

    @Test func roundTripsThroughTheParser() throws {
        let value: JSONValue = ["title": "华为智能手机 Pro", "n": -7, "ok": false, "list": [[], [:], "\u{0}"]]
        let bytes = try CanonicalJSON.serialize(value)
        #expect(try JSONParser.parse(bytes) == value)
    }
}
