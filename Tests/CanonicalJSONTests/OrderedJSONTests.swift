import CanonicalJSON
import Testing

/// Request bodies are parsed into `OrderedJSON`: the same strict parser as `JSONValue`'s, the
/// same answers and the same refusals, with objects kept as member lists.
@Suite struct OrderedJSONTests {
    /// The `JSONValue` an ordered document stands for (the last of a repeated name wins).
    func plain(_ value: OrderedJSON) -> JSONValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let integer): .int(integer)
        case .double(let number): .double(number)
        case .string(let string): .string(string)
        case .array(let elements): .array(elements.map(plain))
        case .object(let members): .object(Dictionary(members.map { ($0.name, plain($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    @Test(arguments: [
        #"{"items":[{"skuId":"HOT-1","quantity":1}],"address":{"name":"张三","phone":"13800138000","line1":"建国路88号","city":"北京"}}"#,
        #" { "note" : "a\"b\\c\nd\u00e9\ud83d\ude00" , "n" : [ -0, 12, 1.5, 1e308, 99999999999999999999, true, false, null ] } "#,
        "[]", "{}", "\"x\"", "-9223372036854775808", "[[[{\"a\":[{}]}]]]",
    ])
    func agreesWithTheDictionaryParser(_ text: String) throws {
        let bytes = Array(text.utf8)
        #expect(plain(try JSONParser.parseOrdered(bytes)) == (try JSONParser.parse(bytes)))
    }

    @Test func keepsMembersInDocumentOrder() throws {
        let parsed = try JSONParser.parseOrdered(Array(#"{"z":1,"a":{"y":2,"b":3},"m":[{"q":4,"c":5}]}"#.utf8))
        guard case .object(let members) = parsed else { Issue.record("not an object: \(parsed)"); return }
        #expect(members.map(\.name) == ["z", "a", "m"])
        guard case .object(let nested)? = members.value(named: "a") else { Issue.record("a is not an object"); return }
        #expect(nested.map(\.name) == ["y", "b"])
        #expect(members.value(named: "missing") == nil)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "\"\\udc00x\"",
        "{} x", "{\"a\" 1}", "[1 2]", "NaN", "'a'", "{\"a\":1 \"b\":2}",
    ])
    func refusesWhatTheDictionaryParserRefuses(_ text: String) throws {
        let bytes = Array(text.utf8)
        var orderedError: JSONParser.SyntaxError?
        do { _ = try JSONParser.parseOrdered(bytes) } catch { orderedError = error }
        var plainError: JSONParser.SyntaxError?
        do { _ = try JSONParser.parse(bytes) } catch { plainError = error }
        #expect(orderedError != nil)
        #expect(orderedError?.offset == plainError?.offset && orderedError?.reason == plainError?.reason)
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parseOrdered([0x22, 0xFF, 0xFE, 0x22]) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parseOrdered(Array(deep.utf8)) }
        let deepObjects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parseOrdered(Array(deepObjects.utf8)) }
    }

    /// Small objects are checked pair by pair, large ones by hashing: both find the first name
    /// repeated, at any depth, however it is spelled.
    @Test func repeatedNamesCanBeRefused() throws {
        func refused(_ text: String) -> JSONParser.SyntaxError? {
            do {
                _ = try JSONParser.parseOrdered(Array(text.utf8), repeatedNames: .refused)
                return nil
            } catch {
                return error
            }
        }
        #expect(refused(#"{"a":1,"b":2,"a":3}"#)?.repeatedName == "a")
        #expect(refused(#"{"items":[{"skuId":"S","quantity":1,"quantity":99}]}"#)?.repeatedName == "quantity")
        #expect(refused(#"{"x":{"y":1},"z":{"y":2}}"#) == nil)
        #expect(refused(#"{"a":1,"\u0061":2}"#)?.repeatedName == "a", "an escaped spelling is the same name")
        for count in [10, 14, 15, 40] {  // 12 and 16 members compared by pairs, 17 and 42 hashed
            let members = (0..<count).map { #""m\#($0)":\#($0)"# }
            #expect(refused("{" + members.joined(separator: ",") + "}") == nil)
            let repeated = members + [#""m\#(count - 3)":0"#, #""m1":0"#]
            #expect(refused("{" + repeated.joined(separator: ",") + "}")?.repeatedName == "m\(count - 3)", "\(count) members")
        }
        let parsed = try JSONParser.parseOrdered(Array(#"{"a":1,"a":2}"#.utf8))
        guard case .object(let members) = parsed else { Issue.record("not an object"); return }
        #expect(members.value(named: "a") == .int(2), "unless refused, the last one counts")
    }
}
