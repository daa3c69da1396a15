import Testing

@testable import CanonicalJSON

/// `JSONObjectView` locates every nested value in one walk (its tape) and reads nested objects
/// and arrays from there: what it answers at any depth must be what the full parser builds.
@Suite struct JSONObjectViewTests {
    /// The member names the documents below use (a view is asked by static name).
    static let names: [StaticString] = ["a", "b", "c", "l", "o", "é", "q\"", ""]

    static let documents = [
        #"{}"#,
        #"{"a":1,"b":"x","c":null}"#,
        // Containers before scalars: each member found past the last one's contents.
        #"{"o":{"a":{"b":[1,[2,[3,{}]],{"c":"deep"}]}},"a":true,"l":[],"b":{}}"#,
        // Arrays of objects of arrays, as an order's lines and their specs.
        #"{"l":[{"a":"x","l":[{"b":"1","c":"2"},{"b":"3"}]},{"a":"y","l":[]},[],{}],"c":-7}"#,
        // Names with escapes or non-ASCII bytes, at every depth.
        #"{"q\"":1,"\u00e9":{"q\"":[{"é":"手机"}],"a":2},"o":{"\u0061":3}}"#,
        // A repeated name: the last wins, inside nested objects too.
        #"{"a":1,"o":{"b":1,"b":{"c":2},"b":[3]},"a":{"a":4}}"#,
        // Whitespace everywhere the grammar allows it.
        " { \"l\" : [ 1 , { \"a\" : [ ] } , \"s\" ] , \"o\" : { } } ",
    ]

    @Test(arguments: documents)
    func nestedValuesReadAsTheParserReadsThem(_ text: String) throws {
        let tree = try JSONParser.parse(Array(text.utf8))
        try Array(text.utf8).withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes)
            try Self.expect(view, equals: tree, at: "$")
        }
    }

    static func expect(_ view: JSONObjectView, equals tree: JSONValue, at path: String) throws {
        guard case .object(let members) = tree else {
            Issue.record("\(path) is not an object in the tree")
            return
        }
        for name in names {
            let key = name.description
            let slice = view.value(name)
            #expect((slice == nil) == (members[key] == nil), "\(path).\(key) present in one and not the other")
            if let slice, let value = members[key] { try expect(slice, equals: value, at: "\(path).\(key)") }
        }
    }

    static func expect(_ slice: JSONObjectView.Slice, equals value: JSONValue, at path: String) throws {
        #expect(try slice.value() == value, "\(path)")
        switch value {
        case .object:
            let object = try #require(try slice.object(), "\(path)")
            try expect(object, equals: value, at: path)
        case .array(let elements):
            let slices = try #require(try slice.elements(), "\(path)")
            #expect(slices.count == elements.count, "\(path)")
            for (index, (element, expected)) in zip(slices, elements).enumerated() { try expect(element, equals: expected, at: "\(path)[\(index)]") }
            #expect(try slice.object() == nil)
        case .string(let string): #expect(try slice.string() == string, "\(path)")
        case .int(let integer): #expect(try slice.int64() == integer, "\(path)")
        case .bool(let bool): #expect(slice.bool == bool, "\(path)")
        case .null: #expect(slice.isNull, "\(path)")
        case .double: #expect(try slice.int64() == nil, "\(path)")
        }
    }

    /// Every syntax error inside a nested container is found by the one walk, however deep.
    @Test func aSyntaxErrorAtAnyDepthIsRefusedWhenTheViewIsMade() {
        for bad in [#"{"l":[{"a":[1,]}]}"#, #"{"o":{"a":{"b":"\q"}}}"#, #"{"l":[[[[]]]]"#, #"{"o":{"a":1 "b":2}}"#, #"{"l":[{}{}]}"#] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") { try Array(bad.utf8).withUnsafeBytes { bytes in _ = try JSONObjectView(bytes) } }
        }
        // As deep as the parser allows, and one deeper: both agree.
        for arrays in [63, 64] {
            let text = Array(("{\"a\":" + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + "}").utf8)
            let parsed = (try? JSONParser.parse(text)) != nil
            let viewed = text.withUnsafeBytes { bytes in (try? JSONObjectView(bytes)) != nil }
            #expect(parsed == (arrays == 63) && viewed == parsed, "\(arrays) nested arrays")
        }
    }
}
