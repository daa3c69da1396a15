import CanonicalJSON
import Domain
import Foundation
@testable import Projections
import Testing

/// The hand-written readers of the documents `GET /v1/cart` reads (the cart, each line's sku,
/// the product's title) against Foundation's decoder they stand in for: the same document from
/// the same bytes, and the same verdict on bytes that are not quite what the encoder writes.
@Suite struct StoredDocumentReadingTests {
    func encoded<T: Encodable>(_ value: T) throws -> [UInt8] { try DocumentCodec.encode(value) }

    func handWritten<T: StoredDocumentReadable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        bytes.withUnsafeBytes { try? T.read(stored: $0) }
    }

    func synthesized<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(bytes))
    }

    /// Each member dropped, nulled and made a string, one more member, and (for an object
    /// member) each of its members dropped: the reader agrees with the decoder on every one.
    func variants(of bytes: [UInt8]) throws -> [[UInt8]] {
        guard case .object(let members) = try JSONParser.parse(bytes) else { return [] }
        var variants: [[String: JSONValue]] = []
        for (name, value) in members {
            for replacement: JSONValue? in [nil, .null, "x", .int(-1), .int(Int64.max)] {
                var changed = members
                changed[name] = replacement
                variants.append(changed)
            }
            if case .object(let inner) = value {
                for key in inner.keys {
                    var nested = inner
                    nested[key] = nil
                    var changed = members
                    changed[name] = .object(nested)
                    variants.append(changed)
                }
            }
        }
        var extra = members
        extra["unknown"] = [1, "two"]
        variants.append(extra)
        return try variants.map { try CanonicalJSON.serialize(JSONValue.object($0)) }
    }

    func expectAgreement<T: Codable & Equatable & StoredDocumentReadable>(_ document: T) throws {
        let bytes = try encoded(document)
        #expect(handWritten(T.self, bytes) == document, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(synthesized(T.self, bytes) == document)
        for variant in try variants(of: bytes) {
            #expect(handWritten(T.self, variant) == synthesized(T.self, variant), "\(String(decoding: variant, as: UTF8.self))")
        }
    }

    @Test func skusReadAsTheDecoderReadsThem() throws {
        try expectAgreement(SkuDocument(skuId: "P1-A", productId: "P1", specs: ["颜色": "黑", "版本": "512G \"Pro\""], priceCents: 399_900,
                                        limitPerUser: 2, available: 7, reserved: 3, sold: 11, version: 42))
        try expectAgreement(SkuDocument(skuId: "S", productId: "P", specs: [:], priceCents: 0, limitPerUser: nil, available: 0, reserved: 0,
                                        sold: 0, version: 1))
    }

    @Test func cartsReadAsTheDecoderReadsThem() throws {
        try expectAgreement(CartsProjection.CartDocument(cart: Cart.initialState, version: 0))
        let lines = #"{"cart":{"lines":[{"skuId":"P1-A","quantity":2},{"skuId":"手机-B","quantity":99}]},"version":9}"#
        let cart = try JSONDecoder().decode(CartsProjection.CartDocument.self, from: Data(lines.utf8))
        #expect(cart.cart.lines.count == 2)
        try expectAgreement(cart)
    }

    @Test func supportAndAccountDocumentsReadAsTheDecoderReadsThem() throws {
        let sealed = try JSONDecoder().decode(Sealed.self, from: Data(#"{"keyId":"U1/1","nonce":"bm9uY2U","ciphertext":"Y2lwaGVy-_"}"#.utf8))
        let at = try #require(Timestamp(rfc3339: "2026-11-26T08:00:00.123Z"))
        try expectAgreement(SupportProjection.MessageDocument(messageId: "M1", from: .customer, text: sealed, orderId: "O1", at: at))
        try expectAgreement(SupportProjection.MessageDocument(messageId: "M2", from: .agent, text: nil, orderId: nil, at: at))
        try expectAgreement(SupportProjection.ConversationDocument(userId: "U1", lastMessageAt: at, lastPosition: 1_155_371, awaitingReply: true,
                                                                   messageCount: 30))
        try expectAgreement(AccountsProjection.UserDocument(userId: "U1", username: sealed, role: .admin, erased: false))
        try expectAgreement(AccountsProjection.UserDocument(userId: "U2", username: nil, role: .customer, erased: true))
    }

    @Test func aProductTitleIsReadAloneAndNilWhereTheDocumentHasNone() throws {
        let product = ProductDocument(productId: "P1", title: "华为智能手机 \"Pro\"", description: String(repeating: "很长的描述", count: 40), category: "手机",
                                      tags: ["a"], imageUrls: [], listed: true,
                                      skus: [ProductSkuDocument(skuId: "P1-A", specs: ["颜色": "黑"], priceCents: 1, limitPerUser: nil, available: 1, sales: 0)])
        let bytes = try encoded(product)
        #expect(bytes.withUnsafeBytes { ProductDocument.storedTitle($0) } == product.title)
        for broken in [#"{"title":7}"#, #"{"name":"x"}"#, #"{"title":"x""#, "[]"] {
            #expect(Array(broken.utf8).withUnsafeBytes { ProductDocument.storedTitle($0) } == nil)
        }
    }
}
