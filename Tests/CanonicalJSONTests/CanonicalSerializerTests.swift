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

    /// Strings are copied in plain runs found eight bytes at a time: every byte that must be
    /// escaped, at every offset of the first words and in the tail, comes out exactly as the
    /// byte-at-a-time rules (RFC 8785) write it, and parses back to the string.
    @Test(arguments: 0..<27)
    func everyByteToEscapeIsFoundWhereverItFallsInAWord(_ offset: Int) throws {
        let plain = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        for length in [0, 1, 7, 8, 9, 16, 23] {
            for special: [UInt8] in [[0x00], [0x08], [0x09], [0x0A], [0x0C], [0x0D], [0x1F], [0x22], [0x5C], [0x7F], Array("é手".utf8), [0x22, 0x5C, 0x01]] {
                let bytes = Array(plain[0..<offset]) + special + Array(plain[0..<max(0, length - offset)])
                let string = String(decoding: bytes, as: UTF8.self)
                var written: [UInt8] = []
                CanonicalJSON.writeString(string, into: &written)
                #expect(written == Self.escapedByteAtATime(bytes), "\(bytes)")
                #expect(try JSONParser.parse(written) == .string(string))
            }
        }
    }

    /// RFC 8785's string form, one byte at a time: the reference the fast writer must match.
    static func escapedByteAtATime(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in bytes {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + Array(String(byte, radix: 16).leftPadded(to: 2).utf8)
            default: out.append(byte)
            }
        }
        return out + [0x22]
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
