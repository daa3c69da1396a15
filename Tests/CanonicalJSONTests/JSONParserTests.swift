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
        // Integers are read as they are scanned; the edges of Int64 included.
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        // One below Int64.min is a double (the nearest one is Int64.min's value as a double).
        #expect(try parse("-9223372036854775809") == .double(-9_223_372_036_854_775_808))
        #expect(try parse("[0,-7,120,1.0,2e0]") == [0, -7, 120, .double(1), .double(2)])
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

    /// Untrusted input may refuse a repeated name instead: the error names it, at any depth;
    /// the same name in two different objects is no repetition.
    @Test func repeatedNamesCanBeRefused() throws {
        func refused(_ text: String) -> JSONParser.SyntaxError? {
            do {
                _ = try JSONParser.parse(Array(text.utf8), repeatedNames: .refused)
                return nil
            } catch {
                return error
            }
        }
        #expect(refused(#"{"a":1,"b":2,"a":3}"#)?.repeatedName == "a")
        #expect(refused(#"{"items":[{"skuId":"S","quantity":1,"quantity":99}]}"#)?.repeatedName == "quantity")
        #expect(refused(#"{"x":{"y":1},"z":{"y":2}}"#) == nil)
        #expect(refused(#"{"a":1,"a":2}"#)?.repeatedName == "a", "an escaped spelling is the same name")
        let long = String(repeating: "n", count: 300)
        let error = refused(#"{"\#(long)":1,"\#(long)":2}"#)
        #expect(error?.repeatedName == long && error?.reason.count ?? 0 < 120, "the reason quotes a long name shortened")
        #expect(refused(#"{"a":1,"a"}"#)?.repeatedName == nil, "a syntax error is reported as one")
        #expect(try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8)) == ["a": 2], "stored data keeps reading the last")
    }

    @Test func forEachMemberWalksAFlatObjectInOrder() throws {
        var seen: [(String, JSONValue)] = []
        let text = #"{"listed":true,"category":"手机","n":-3,"nested":{"x":[1]}}"#
        try Array(text.utf8).withUnsafeBytes { bytes in
            try JSONParser.forEachMember(in: bytes) { seen.append(($0, $1)) }
        }
        #expect(seen.map(\.0) == ["listed", "category", "n", "nested"])
        #expect(seen[1].1 == "手机" && seen[2].1 == .int(-3) && seen[3].1 == ["x": [1]])
        for bad in [#"[1]"#, #"{"a":1} x"#, #"{"a":}"#, #"{"a":1"#] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") {
                try Array(bad.utf8).withUnsafeBytes { bytes in try JSONParser.forEachMember(in: bytes) { _, _ in } }
            }
        }
        // Invalid UTF-8 in a name is refused on the fast path too.
        #expect(throws: JSONParser.SyntaxError.self) {
            try [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D].withUnsafeBytes { bytes in try JSONParser.forEachMember(in: bytes) { _, _ in } }
        }
    }

    @Test func forEachMemberBuildsOnlyTheWantedMembers() throws {
        let text = #"{"hash":"ab\"c\u00e9","skip":{"x":[1,{"y":null}],"z":[true,false,-1.5e3]},"keep":{"a":[1,"二"]},"n":7}"#
        var seen: [(String, JSONValue)] = []
        try Array(text.utf8).withUnsafeBytes { bytes in
            try JSONParser.forEachMember(in: bytes, wanted: { $0 == "keep" || $0 == "n" }) { seen.append(($0, $1)) }
        }
        #expect(seen.map(\.0) == ["keep", "n"])
        let whole = try parse(text)
        #expect(seen[0].1 == whole["keep"] && seen[1].1 == whole["n"])
        // What is stepped over is still checked for syntax.
        for bad in [#"{"s":[1,],"n":1}"#, #"{"s":"\x","n":1}"#, #"{"s":"open,"n":1}"#, #"{"s":{"a" 1},"n":1}"#, #"{"s":tru,"n":1}"#,
                    #"{"s":"\#u{1}","n":1}"#, #"{"s":01,"n":1}"#] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") {
                try Array(bad.utf8).withUnsafeBytes { bytes in try JSONParser.forEachMember(in: bytes, wanted: { $0 == "n" }) { _, _ in } }
            }
        }
        // And so is its depth.
        let deep = #"{"s":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(throws: JSONParser.SyntaxError.self) {
            try Array(deep.utf8).withUnsafeBytes { bytes in try JSONParser.forEachMember(in: bytes, wanted: { _ in false }) { _, _ in } }
        }
    }

    /// An object read in place: members found by name (the last of a repeated one), values
    /// parsed when asked, the whole document checked as strictly as `parse` checks it.
    @Test func anObjectViewReadsMembersInPlace() throws {
        let text = #" {"n":1,"s":"a\u00e9","n":-2,"o":{"t":true,"l":[1,"x",null]},"z":null} "#
        try Array(text.utf8).withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes)
            #expect(try view.value("n")?.int64() == -2)
            #expect(try view.value("s")?.string() == "aé")
            #expect(try view.value("s")?.int64() == nil)
            #expect(view.value("missing") == nil)
            #expect(view.value("z")?.isNull == true)
            let inner = try #require(try view.value("o")?.object())
            #expect(inner.value("t")?.bool == true)
            let list = try #require(try inner.value("l")?.elements())
            #expect(list.count == 3)
            #expect(try list[1].string() == "x" && list[2].isNull)
            #expect(try view.value("o")?.value() == ["t": true, "l": [1, "x", .null]])
        }
        for bad in ["[1]", #"{"a":1} x"#, #"{"a":1,}"#, #"{"a":[1,}"#, #"{"a":"\x"}"#, String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70)] {
            #expect(throws: JSONParser.SyntaxError.self, "\(bad)") { try Array(bad.utf8).withUnsafeBytes { bytes in _ = try JSONObjectView(bytes) } }
        }
        // Invalid UTF-8 in a value is refused when that value is read.
        try ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D] as [UInt8]).withUnsafeBytes { bytes in
            let view = try JSONObjectView(bytes)
            #expect(throws: JSONParser.SyntaxError.self) { _ = try view.value("a")?.string() }
        }
    }

    /// Strings are scanned eight bytes at a time: a quote, a backslash, a control byte or a
    /// non-ASCII byte at every offset of the first words (and in the tail after them) must be
    /// found exactly where a byte-at-a-time scan finds it — parsed, and stepped over unread.
    @Test(arguments: 0..<27)
    func everyByteOfAStringIsSeenWhereverItFallsInAWord(_ offset: Int) throws {
        let plain = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        func string(_ inserted: [UInt8], length: Int) -> [UInt8] {
            Array(plain[0..<offset]) + inserted + Array(plain[0..<max(0, length - offset)])
        }
        func parsed(_ content: [UInt8]) throws -> JSONValue { try JSONParser.parse([0x22] + content + [0x22]) }
        /// The same string as an unread member before one that is read.
        func skipped(_ content: [UInt8]) throws -> Int64? {
            let document = Array(#"{"s":""#.utf8) + content + Array(#"","n":7}"#.utf8)
            return try document.withUnsafeBytes { bytes in try JSONObjectView(bytes).value("n")?.int64() }
        }
        for length in [0, 1, 7, 8, 9, 16, 23] {
            // \" \\ \n, decoded to a quote, a backslash and a line feed.
            let escaped = string([0x5C, 0x22, 0x5C, 0x5C, 0x5C, 0x6E], length: length)
            #expect(try parsed(escaped) == .string(String(decoding: string([0x22, 0x5C, 0x0A], length: length), as: UTF8.self)))
            #expect(try skipped(escaped) == 7)
            let unicode = string(Array("é手".utf8), length: length)
            #expect(try parsed(unicode) == .string(String(decoding: unicode, as: UTF8.self)))
            #expect(try skipped(unicode) == 7)
            for control: UInt8 in [0x00, 0x0A, 0x1F] {
                #expect(throws: JSONParser.SyntaxError.self) { try parsed(string([control], length: length)) }
                #expect(throws: JSONParser.SyntaxError.self) { try skipped(string([control], length: length)) }
            }
            // A string whose closing quote is missing, however long its plain run.
            #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22] + string([], length: length)) }
            #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22] + string([0x5C], length: length)) }
            // 0x7F and 0x20 are plain; a lone 0xFF is not UTF-8.
            #expect(try parsed(string([0x7F, 0x20], length: length)) == .string(String(decoding: string([0x7F, 0x20], length: length), as: UTF8.self)))
            #expect(throws: JSONParser.SyntaxError.self) { try parsed(string([0xFF], length: length)) }
        }
    }
}
