import CanonicalJSON
import Foundation
import Testing

@Suite struct CompactEncoderTests {
    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String]
        var score: Int64?
    }

    struct Document: Codable, Equatable {
        var id: String
        var flag: Bool
        var count: UInt64
        var specs: [String: String]
        var inner: Inner
        var list: [Inner]
        var missing: String?
        var nested: [String: [Int]]
    }

    let sample = Document(id: "华为 \"Pro\"\n", flag: true, count: 42, specs: ["颜色": "黑", "a": "1", "z": ""],
                          inner: Inner(name: "x", tags: [], score: nil), list: [Inner(name: "y", tags: ["t"], score: -3)], missing: nil,
                          nested: ["b": [1, 2], "a": []])

    @Test func foundationReadsWhatItWrites() throws {
        let bytes = try CompactJSONEncoder().encode(sample)
        #expect(try JSONDecoder().decode(Document.self, from: Data(bytes)) == sample)
    }

    @Test func outputIsDeterministicWithSortedDictionaryKeys() throws {
        let first = String(decoding: try CompactJSONEncoder().encode(sample), as: UTF8.self)
        for _ in 0..<20 { #expect(String(decoding: try CompactJSONEncoder().encode(sample), as: UTF8.self) == first) }
        #expect(first.contains(#""specs":{"a":"1","z":"","颜色":"黑"}"#))
        #expect(first.hasPrefix(#"{"id":"#) && !first.contains("missing"))
    }

    @Test func primitivesAndEmptyValues() throws {
        #expect(String(decoding: try CompactJSONEncoder().encode([Int]()), as: UTF8.self) == "[]")
        #expect(String(decoding: try CompactJSONEncoder().encode("a\u{1}"), as: UTF8.self) == #""a\u0001""#)
        #expect(String(decoding: try CompactJSONEncoder().encode(Optional<Int>.none), as: UTF8.self) == "null")
    }
}
