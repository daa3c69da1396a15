import Testing

@testable import CanonicalJSON

/// `JSONObjectView` locates an object's members in one walk and reads nested objects and arrays
/// when asked: what it answers at any depth, checking everything or only what it reads, must be
/// what the full parser builds.
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
        // …and an object first, then something else under its name.
        #"{"o":{"a":1},"b":2,"o":[3]}"#,
        // Whitespace everywhere the grammar allows it.
        " { \"l\" : [ 1 , { \"a\" : [ ] } , \"s\" ] , \"o\" : { } } ",
    ]

    @Test(arguments: documents, [JSONObjectView.Checking.everything, .readValues])
    func nestedValuesReadAsTheParserReadsThem(_ text: String, checking: JSONObjectView.Checking) throws {
        let tree = try JSONParser.parse(Array(text.utf8))
        try Array(text.utf8).withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes, checking: checking)
            try Self.expect(view, equals: tree, at: "$")
        }
    }

    /// A member opened in the walk that locates the object's members is the object
    /// `value(name)?.object()` gives: nil when missing or not an object, the last of a repeated
    /// name, and at any depth the same answers as the parser's tree.
    @Test(arguments: documents, [JSONObjectView.Checking.everything, .readValues])
    func aMemberOpenedInTheSameWalkIsTheMemberOpenedAfter(_ text: String, checking: JSONObjectView.Checking) throws {
        let tree = try JSONParser.parse(Array(text.utf8))
        try Array(text.utf8).withUnsafeBytes { bytes in
            for name in Self.names {
                let (object, opened) = try JSONObjectView.opening(name, in: bytes, checking: checking)
                try Self.expect(object, equals: tree, at: "$")
                let later = try object.value(name)?.object()
                #expect((opened == nil) == (later == nil), "\(text): \(name)")
                if let opened, case .object(let members) = tree, let member = members[name.description] {
                    try Self.expect(opened, equals: member, at: "$.\(name)")
                }
            }
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
            #expect(try slice.objectElements() == nil, "\(path)")
        case .array(let elements):
            let slices = try #require(try slice.elements(), "\(path)")
            #expect(slices.count == elements.count, "\(path)")
            for (index, (element, expected)) in zip(slices, elements).enumerated() { try expect(element, equals: expected, at: "\(path)[\(index)]") }
            #expect(try slice.object() == nil)
            // Read as objects in one walk: each object element as the tree has it, nil for the rest.
            let objects = try #require(try slice.objectElements(), "\(path)")
            #expect(objects.count == elements.count, "\(path)")
            for (index, (object, expected)) in zip(objects, elements).enumerated() {
                if case .object = expected {
                    try expect(try #require(object, "\(path)[\(index)]"), equals: expected, at: "\(path)[\(index)]")
                } else {
                    #expect(object == nil, "\(path)[\(index)]")
                }
            }
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
        // As deep as the parser allows, and one deeper: all agree, whatever is checked.
        for arrays in [63, 64] {
            let text = Array(("{\"a\":" + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + "}").utf8)
            let parsed = (try? JSONParser.parse(text)) != nil
            #expect(parsed == (arrays == 63), "\(arrays) nested arrays")
            for checking in [JSONObjectView.Checking.everything, .readValues] {
                let viewed = text.withUnsafeBytes { bytes in (try? JSONObjectView(bytes, checking: checking)) != nil }
                #expect(viewed == parsed, "\(arrays) nested arrays, \(checking)")
            }
        }
    }

    /// Checking only what is read: a malformed container stepped over is let through, and is
    /// refused when it is read; brackets inside strings do not count.
    @Test func readingValuesChecksAContainerWhenItIsRead() throws {
        let text = Array(#"{"o":{"a" 1,"l":[2,]},"c":"}]{[","e":["\"]",{"x":"]"}],"a":7}"#.utf8)
        #expect(throws: JSONParser.SyntaxError.self) { try text.withUnsafeBytes { bytes in _ = try JSONObjectView(bytes) } }
        try text.withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes, checking: .readValues)
            #expect(try view.value("a")?.int64() == 7)
            #expect(try view.value("c")?.string() == "}]{[")
            #expect(try view.value("e")?.value() == .array([.string("\"]"), .object(["x": .string("]")])]))
            let object = try #require(view.value("o"))
            #expect(throws: JSONParser.SyntaxError.self) { _ = try object.object() }
            #expect(throws: JSONParser.SyntaxError.self) { _ = try object.value() }
        }
    }

    /// Unbalanced or unterminated input is an error either way, never a read past the end.
    @Test(arguments: [#"{"o":{"a":[1,2}"#, #"{"o":"unterminated}"#, #"{"o":{"a":"x\"}}"#, #"{"o":[[["#, #"{"o":{"a":1}]"#])
    func readingValuesStillRefusesUnbalancedInput(_ bad: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try Array(bad.utf8).withUnsafeBytes { bytes in _ = try JSONObjectView(bytes, checking: .readValues) } }
    }

    /// Damaged records — bytes changed to brackets and quotes, bytes dropped, the end cut off —
    /// never make a view trap or read outside its buffer, whatever it checks; and whenever the
    /// full parser accepts the damaged bytes, both views read from them what it built.
    @Test func damagedRecordsNeverTrapAndAgreeWhenValid() throws {
        let record = Array(
            (#"{"at":"2026-11-26T21:42:05.032Z","data":{"address":{"c":"N3oh1K5vhDiB2PAYeE","l":"B178/1"},"b":false,"l":[{"a":1136,"o":"G28","#
                + #""q":1,"l":[{"a":"版本","b":"B"]"}],"c":"Nike 吸尘器"}],"o":"01M8CWXYZ4","q":-7},"hash":"f8eddf0b559e17a5","metadata":"#
                + #"{"a":"system","b":"01M8CWXYZ4JQ7H"},"position":500000,"prevHash":"b8813e178a40","streamId":"order-01M8","type":"X","version":1}"#)
                .utf8)
        let damage = Array(#"{}[]",:\ 0a"#.utf8)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % max(bound, 1)
        }
        var accepted = 0
        for _ in 0..<4000 {
            var bytes = record
            for _ in 0...next(3) where !bytes.isEmpty {
                switch next(3) {
                case 0: bytes[next(bytes.count)] = damage[next(damage.count)]
                case 1: bytes.remove(at: next(bytes.count))
                default: bytes.removeLast(next(min(40, bytes.count)))
                }
            }
            let tree = try? JSONParser.parse(bytes)
            try bytes.withUnsafeBytes { raw in
                for checking in [JSONObjectView.Checking.everything, .readValues] {
                    guard let view = try? JSONObjectView(raw, checking: checking) else {
                        // What the full parser accepts as an object, both views accept.
                        if case .object = tree { Issue.record("a valid object refused (\(checking)): \(String(decoding: bytes, as: UTF8.self))") }
                        continue
                    }
                    if case .object = tree {
                        accepted += 1
                        try Self.expect(view, equals: try #require(tree), at: "$")
                    } else {
                        Self.readEverything(view)
                    }
                }
            }
        }
        #expect(accepted > 0, "some damage leaves valid JSON, and it was compared")
    }

    /// Reads every member a damaged record may still have, at every depth, ignoring errors: what
    /// is checked here is that nothing traps.
    static func readEverything(_ view: JSONObjectView) {
        for name in ["at", "data", "hash", "metadata", "position", "prevHash", "streamId", "type", "version", "address", "a", "b", "c", "l", "o",
                     "q"] as [StaticString] {
            if let slice = view.value(name) { readEverything(slice) }
        }
    }

    static func readEverything(_ slice: JSONObjectView.Slice) {
        _ = try? slice.value()
        _ = try? slice.string()
        _ = try? slice.int64()
        _ = slice.withUnescapedString { $0.count }
        if let object = try? slice.object() { readEverything(object) }
        if let elements = try? slice.elements() { for element in elements { readEverything(element) } }
    }

    /// A string's stored bytes, for readers that parse them in place: only without escapes.
    @Test func anUnescapedStringIsLentAsItsBytes() throws {
        let text = Array(#"{"t":"2026-11-25T08:00:00Z","e":"a\u0062","n":1,"s":""}"#.utf8)
        try text.withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes)
            #expect(view.value("t")?.withUnescapedString { Array($0) } == Array("2026-11-25T08:00:00Z".utf8))
            #expect(view.value("s")?.withUnescapedString { $0.count } == 0)
            #expect(view.value("e")?.withUnescapedString { _ in true } == nil)
            #expect(view.value("n")?.withUnescapedString { _ in true } == nil)
        }
    }
}
