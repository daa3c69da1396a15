import CanonicalJSON
import Testing

@Suite struct CodableTests {
    struct Line: Codable, Equatable {
        var skuId: String
        var quantity: Int
        var note: String?
        var tags: [String]
        var nested: [String: Int64]
    }

    @Test func encodesAndDecodesWithoutBytes() throws {
        let line = Line(skuId: "S1", quantity: 3, note: nil, tags: ["a", "b"], nested: ["x": 1])
        let value = try JSONValueEncoder().encode(line)
        #expect(value == ["skuId": "S1", "quantity": 3, "tags": ["a", "b"], "nested": ["x": 1]])
        #expect(try JSONValueDecoder().decode(Line.self, from: value) == line)
    }

    @Test func refusesAFractionWhereAnIntegerIsExpected() {
        let value: JSONValue = ["skuId": "S1", "quantity": .double(1.5), "tags": [], "nested": [:]]
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Line.self, from: value) }
    }

    @Test func reportsMissingKeys() {
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Line.self, from: ["skuId": "S1"]) }
    }
}
