import CanonicalJSON
import Domain
import Foundation
@testable import Projections
import Testing

/// The exact bytes of a stored order document. Live read models written by an earlier build
/// must digest the same as a rebuild by this one (`orderlog-replay rebuild --check`), so
/// however the encoder gets faster, its output may not move by a byte.
@Suite struct DocumentBytesTests {
    static let order = #"{"exists":true,"orderId":"O1","userId":"U1","status":"refund_requested","#
        + #""lines":[{"skuId":"S1","productId":"P1","title":"华为智能手机 \"Pro\"","specs":[{"name":"颜色","value":"黑"},{"name":"版本","value":"512G"}],"#
        + #""priceCents":399900,"quantity":2,"lineTotalCents":799800}],"totalCents":799800,"#
        + #""address":{"keyId":"U1/1","nonce":"bm9uY2U","ciphertext":"Y2lwaGVy-_"},"note":{"keyId":"U1/1","nonce":"bjI","ciphertext":"bm90ZQ"},"#
        + #""placedAt":"2026-11-25T08:00:00.123Z","payBy":"2026-11-25T08:30:00.123Z","#
        + #""payment":{"paymentId":"PAY1","amountCents":799800,"nonceStr":"abc","timeStamp":"1795593600","expiresAt":"2026-11-25T08:30:00.000Z","transactionId":"T1","paidAt":"2026-11-25T08:01:00Z"},"#
        + #""shipment":{"carrier":"顺丰","trackingNumber":"SF1","shippedAt":"2026-11-26T01:00:00.000Z"},"#
        + #""refund":{"reason":{"keyId":"U1/1","nonce":"bjM","ciphertext":"cmVhc29u"},"requestedAt":"2026-11-27T00:00:00.000Z","fromStatus":"shipped"},"#
        + #""history":[{"status":"awaiting_payment","at":"2026-11-25T08:00:00.123Z"},{"status":"paid","at":"2026-11-25T08:01:00.000Z","reason":"paid\n\u0001"}]}"#

    static let document = #"{"order":"# + order + #","version":7,"placedPosition":12,"erased":false}"#

    /// Stored order documents are read by their own reader (`DocumentCodec.decode`): the same
    /// document as Foundation's decoder reads; and where the reader refuses what the decoder
    /// accepts (a version past Int64), the decoder still has the last word.
    @Test func anOrderDocumentIsReadInPlaceAsTheDecoderReadsIt() throws {
        let bytes = Array(Self.document.utf8)
        let expected = try JSONDecoder().decode(OrdersProjection.OrderDocument.self, from: Data(bytes))
        #expect(try bytes.withUnsafeBytes { try OrdersProjection.OrderDocument.read(stored: $0) } == expected)
        #expect(try DocumentCodec.decode(OrdersProjection.OrderDocument.self, from: bytes) == expected)
        let huge = Array(Self.document.replacingOccurrences(of: #""version":7"#, with: #""version":18446744073709551615"#).utf8)
        #expect(throws: (any Error).self) { try huge.withUnsafeBytes { try OrdersProjection.OrderDocument.read(stored: $0) } }
        #expect(try DocumentCodec.decode(OrdersProjection.OrderDocument.self, from: huge).version == .max)
    }

    @Test func anOrderDocumentEncodesToTheSameBytesAsEver() throws {
        let decoded = try JSONValueDecoder().decode(OrdersProjection.OrderDocument.self, from: JSONParser.parse(Array(Self.document.utf8)))
        #expect(decoded.order.lines.first?.specs.count == 2 && decoded.order.refund?.outcome == nil)
        let bytes = try CompactJSONEncoder().encode(decoded)
        #expect(String(decoding: bytes, as: UTF8.self) == Self.document)
    }

    /// The hand-written writers against the synthesized `Encodable` (through `JSONValueEncoder`)
    /// where optional members come and go: the same members with the same values.
    @Test func everyShapeOfAnOrderWritesWhatCodableWould() throws {
        let full = try JSONValueDecoder().decode(OrdersProjection.OrderDocument.self, from: JSONParser.parse(Array(Self.document.utf8)))
        var shapes: [OrdersProjection.OrderDocument] = [full]
        var bare = full
        bare.order.address = nil
        bare.order.note = nil
        bare.order.payment = nil
        bare.order.shipment = nil
        bare.order.refund = nil
        bare.order.history = []
        bare.order.lines = []
        bare.erased = true
        shapes.append(bare)
        var automatic = full
        // (Built from JSON: the domain keeps these initializers to itself.)
        automatic.order.refund = try JSONValueDecoder().decode(Order.Refund.self, from: [
            "automaticReason": "paid_after_cancellation", "requestedAt": "2026-11-25T08:00:00.005Z", "outcome": "approved",
        ])
        automatic.order.payment = try JSONValueDecoder().decode(Order.Payment.self, from: [
            "paymentId": "P", "amountCents": 1, "nonceStr": "n", "timeStamp": "1", "expiresAt": "2026-11-25T08:00:00.009Z",
        ])
        shapes.append(automatic)
        for shape in shapes {
            let written = try JSONParser.parse(try CompactJSONEncoder().encode(shape))
            #expect(written == (try JSONValueEncoder().encode(shape)))
            #expect(try JSONValueDecoder().decode(OrdersProjection.OrderDocument.self, from: written) == shape)
        }
    }

    /// The hand-written list entries against the synthesized `Encodable` through the same
    /// encoder, byte for byte.
    @Test func listEntriesWriteWhatCodableWould() throws {
        let summary = OrdersProjection.OrderSummary(orderId: "01M8AY85FEQQB0XM0NG7WYCEMG", status: .refundRequested, totalCents: 799_800,
                                                    itemCount: 3, createdAt: "2026-11-25T08:00:00Z")
        #expect(try CompactJSONEncoder().encode(summary) == (try CompactJSONEncoder().encode(Synthesized(summary))))
        #expect(String(decoding: try CompactJSONEncoder().encode(summary), as: UTF8.self)
            == #"{"orderId":"01M8AY85FEQQB0XM0NG7WYCEMG","status":"refund_requested","totalCents":799800,"itemCount":3,"createdAt":"2026-11-25T08:00:00Z"}"#)
        for lines in [[], [SalesProjection.SoldOrder.Line(skuId: "S1", quantity: 2, lineTotalCents: 500),
                          SalesProjection.SoldOrder.Line(skuId: "华为-2", quantity: 1, lineTotalCents: -1)]] {
            for paid in [false, true] {
                let sold = SalesProjection.SoldOrder(lines: lines, totalCents: 501, paid: paid)
                #expect(try CompactJSONEncoder().encode(sold) == (try CompactJSONEncoder().encode(Synthesized(sold))))
            }
        }
    }
}

extension DocumentBytesTests {
    /// An order large enough that the bounded writer's first room (1 KiB) is too small, written
    /// both ways: as a top-level document (into the array it returns) and appended to bytes
    /// already there (through scratch memory) — what Codable writes, each time.
    @Test func aLargeOrderWritesWhatCodableWouldBothWays() throws {
        var large = try JSONValueDecoder().decode(OrdersProjection.OrderDocument.self, from: JSONParser.parse(Array(Self.document.utf8)))
        let line = try #require(large.order.lines.first)
        large.order.lines = Array(repeating: line, count: 50)
        large.version = 9_000_000_000_000_000_000
        let expected = try JSONValueEncoder().encode(large)
        let written = try CompactJSONEncoder().encode(large)
        #expect(written.count > 8_000)
        #expect(try JSONParser.parse(written) == expected)
        #expect(String(decoding: written, as: UTF8.self).contains(#""version":9000000000000000000,"#))
        var appended: [UInt8] = [0x5B]
        large.writeCompactJSON(into: &appended)
        #expect(appended == [0x5B] + written)
    }

    /// The sealed plaintext of an address: old ciphertexts must open to the same JSON.
    @Test func aShippingAddressWritesWhatCodableWould() throws {
        for postalCode in [nil, "100000"] {
            let address = ShippingAddress(name: "张三 \"小张\"", phone: "13800138000", line1: "建国路88号\n2F", city: "北京", postalCode: postalCode)
            #expect(try CompactJSONEncoder().encode(address) == (try CompactJSONEncoder().encode(Synthesized(address))))
        }
    }
}

extension DocumentBytesTests {
    /// The catalog's and the carts' hand-written documents against their `Encodable` forms, byte
    /// for byte: specs in several scripts or none, a limit or none, an image or none, extreme
    /// counts, an empty cart and one with lines.
    @Test func catalogAndCartDocumentsWriteWhatCodableWould() throws {
        let specsShapes: [[String: String]] = [[:], ["颜色": "黑"], ["颜色": "白 \"雪\"", "版本": "512G", "Size": "XL", "a": "\\"]]
        var skus: [ProductSkuDocument] = []
        for (index, specs) in specsShapes.enumerated() {
            for limit in [nil, 5] {
                let sku = ProductSkuDocument(skuId: "P1-\(index)", specs: specs, priceCents: 9_007_199_254_740_991, limitPerUser: limit,
                                             available: Int64(index) - 1, sales: .max)
                #expect(try CompactJSONEncoder().encode(sku) == (try CompactJSONEncoder().encode(Synthesized(sku))))
                skus.append(sku)
                let document = SkuDocument(skuId: sku.skuId, productId: "P1", specs: specs, priceCents: 0, limitPerUser: limit, available: 3,
                                           reserved: .min, sold: 2, version: .max)
                #expect(try CompactJSONEncoder().encode(document) == (try CompactJSONEncoder().encode(Synthesized(document))))
            }
        }
        for (tags, images, listed) in [([String](), [String](), false), (["5G", "热卖"], ["https://img/1.jpg", "https://img/2.jpg"], true)] {
            for skus in [[], skus] {
                let product = ProductDocument(productId: "P1", title: "华为 \"Pro\"\n", description: "", category: "手机", tags: tags, imageUrls: images,
                                              listed: listed, skus: skus)
                #expect(try CompactJSONEncoder().encode(product) == (try CompactJSONEncoder().encode(Synthesized(product))))
            }
        }
        // The largest product the API admits (a 5,000-character description of escapes and
        // Chinese, 50 skus): larger than the writer's first guess for any smaller one.
        let longest = ProductDocument(productId: "P1", title: String(repeating: "华", count: 200),
                                      description: String(repeating: "\"\u{1}华\n", count: 1_250), category: "手机", tags: [], imageUrls: [],
                                      listed: true, skus: (0..<50).map { skus[$0 % skus.count] })
        #expect(try CompactJSONEncoder().encode(longest) == (try CompactJSONEncoder().encode(Synthesized(longest))))
        for image in [nil, "https://img/1.jpg"] {
            let item = ProductListItem(productId: "P1", title: "手机", category: "c", minPriceCents: 1, available: 0, sales: 9, imageUrl: image)
            #expect(try CompactJSONEncoder().encode(item) == (try CompactJSONEncoder().encode(Synthesized(item))))
        }
        let filled = try JSONValueDecoder().decode(Cart.State.self, from: ["lines": [["skuId": "S1", "quantity": 2], ["skuId": "华为-\"2\"", "quantity": 99]]])
        for cart in [Cart.initialState, filled] {
            let document = CartsProjection.CartDocument(cart: cart, version: .max)
            #expect(try CompactJSONEncoder().encode(document) == (try CompactJSONEncoder().encode(Synthesized(document))))
            #expect(try CompactJSONEncoder().encode(cart) == (try CompactJSONEncoder().encode(Synthesized(cart))))
        }
        // And the form itself, pinned: a stored product answers GET /v1/products/{id} as is.
        let pinned = ProductDocument(productId: "P1", title: "T", description: "D", category: "C", tags: ["a"], imageUrls: [], listed: true,
                                     skus: [ProductSkuDocument(skuId: "S", specs: ["颜色": "黑", "A": "b"], priceCents: 5, limitPerUser: nil, available: 1, sales: 0)])
        #expect(String(decoding: try CompactJSONEncoder().encode(pinned), as: UTF8.self)
            == #"{"productId":"P1","title":"T","description":"D","category":"C","tags":["a"],"imageUrls":[],"listed":true,"#
            + #""skus":[{"skuId":"S","specs":{"A":"b","颜色":"黑"},"priceCents":5,"limitPerUser":null,"available":1,"sales":0}]}"#)
    }
}

extension DocumentBytesTests {
    /// The sales projection's documents: the figures written as `Encodable` writes them, and both
    /// documents read in place exactly as Foundation's decoder reads them — the same value, or
    /// the same refusal for a member dropped, nulled or retyped.
    @Test func salesDocumentsReadAndWriteAsCodableDoes() throws {
        let figures = SalesProjection.SalesFigures(orders: 3, units: .max, revenueCents: -1, refundedCents: 0)
        #expect(try CompactJSONEncoder().encode(figures) == (try CompactJSONEncoder().encode(Synthesized(figures))))
        let sold = SalesProjection.SoldOrder(lines: [.init(skuId: "华为-\"1\"", quantity: 2, lineTotalCents: 500), .init(skuId: "S2", quantity: 1, lineTotalCents: 0)],
                                            totalCents: 500, paid: true)
        func variants(_ bytes: [UInt8]) throws -> [[UInt8]] {
            guard case .object(let members) = try JSONParser.parse(bytes) else { return [] }
            var result = [bytes]
            for name in members.keys {
                for replacement: JSONValue? in [nil, .null, "x", .bool(true)] {
                    var changed = members
                    changed[name] = replacement
                    result.append(JSONValue.object(changed).serialized())
                }
            }
            return result + [Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "500", with: "500.5").utf8)]
        }
        for bytes in try variants(try CompactJSONEncoder().encode(figures)) {
            let read = try? bytes.withUnsafeBytes { try SalesProjection.SalesFigures.read(stored: $0) }
            #expect(read == (try? JSONDecoder().decode(SalesProjection.SalesFigures.self, from: Data(bytes))), "\(String(decoding: bytes, as: UTF8.self))")
        }
        for bytes in try variants(try CompactJSONEncoder().encode(sold)) {
            let read = try? bytes.withUnsafeBytes { try SalesProjection.SoldOrder.read(stored: $0) }
            let decoded = try? JSONDecoder().decode(SalesProjection.SoldOrder.self, from: Data(bytes))
            #expect(read.map { try? CompactJSONEncoder().encode($0) } == decoded.map { try? CompactJSONEncoder().encode($0) },
                    "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}

/// Encodes its value with the synthesized `encode(to:)`, out of the encoder's sight of the
/// hand-written form.
private struct Synthesized<Value: Encodable>: Encodable {
    let value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
