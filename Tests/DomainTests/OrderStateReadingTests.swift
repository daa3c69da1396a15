import CanonicalJSON
import Foundation
import Testing
@testable import Domain

/// The hand-written reader of a stored order state (the read models' order document body)
/// against the synthesized `Decodable` it stands in for: the same state from the same bytes,
/// for every shape an order's life gives it, and the same verdict on bytes that are not quite
/// what the writer writes.
@Suite struct OrderStateReadingTests {
    /// Every optional part present or absent somewhere: payment, shipment, refund (with a sealed
    /// reason, or automatic and without one), a note, history reasons, an erased order.
    func states() throws -> [Order.State] {
        let placed = try placedOrder(lines: [RequestedLine(skuId: "S1", quantity: 2), RequestedLine(skuId: "S2", quantity: 1)],
                                     skus: ["S1": sku(), "S2": sku("S2", price: 7)])
        var noted = placed
        noted.note = sealed("请放门口 \"quoted\" \\ 反斜杠")
        let requested = placed.applying(try Order.decideRequestPayment(paymentId: "PAY1", nonceStr: "n", now: t0, placed))
        let paid = requested.applying(try Order.decidePayment(paymentId: "PAY1", transactionId: "T1", amountCents: 207, paidAt: "2026-11-25T08:01:00Z",
                                                              now: t0, requested).order)
        let shipped = paid.applying(try Order.decideShip(carrier: "顺丰", trackingNumber: "SF1", now: t0, paid))
        let refundAsked = shipped.applying(try Order.decideRefundRequest(reason: sealed("坏了"), now: t0, shipped))
        let rejected = refundAsked.applying(try Order.decideRefund(approve: false, now: t0, refundAsked).order)
        let cancelled = requested.applying(try Order.decideCancel(reason: .paymentTimeout, now: t0.adding(seconds: 1801), requested).order)
        let lateRefund = cancelled.applying(try Order.decidePayment(paymentId: "PAY1", transactionId: "T9", amountCents: 207, paidAt: "x",
                                                                    now: t0.adding(seconds: 1900), cancelled).order)
        let received = shipped.applying(Order.decideAutoReceive(now: t0.adding(seconds: 7 * 86_400), afterDays: 7, shipped))
        return [Order.initialState, placed, noted, requested, paid, shipped, refundAsked, rejected, cancelled, lateRefund, received,
                rejected.erasingPersonalData()]
    }

    func written(_ state: Order.State) -> [UInt8] {
        var bytes: [UInt8] = []
        state.writeCompactJSON(into: &bytes)
        return bytes
    }

    /// nil when it refuses.
    func handWritten(_ bytes: [UInt8]) -> Order.State? {
        bytes.withUnsafeBytes { buffer in try? Order.State(stored: StoredObject(buffer, path: "order")) }
    }

    func synthesized(_ bytes: [UInt8]) -> Order.State? {
        try? JSONDecoder().decode(Order.State.self, from: Data(bytes))
    }

    @Test func readsBackEveryStateAsTheSynthesizedDecoderDoes() throws {
        for state in try states() {
            let bytes = written(state)
            #expect(handWritten(bytes) == state, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(synthesized(bytes) == state)
        }
    }

    /// Changed documents: members dropped, nulled, retyped, added, a status unknown — the reader
    /// accepts exactly when the synthesized decoder does, and then reads the same state.
    @Test func refusesAndAcceptsWhatTheSynthesizedDecoderDoes() throws {
        let full = try #require(try states().first { $0.payment != nil && $0.refund != nil && $0.shipment != nil })
        guard case .object(let members) = try JSONParser.parse(written(full)) else { Issue.record("not an object"); return }
        var variants: [[String: JSONValue]] = []
        for name in members.keys {
            var dropped = members
            dropped[name] = nil
            variants.append(dropped)
            var nulled = members
            nulled[name] = .null
            variants.append(nulled)
            var retyped = members
            retyped[name] = .string("x")
            variants.append(retyped)
        }
        var extra = members
        extra["unknown"] = ["any": [1, 2]]
        variants.append(extra)
        var badStatus = members
        badStatus["status"] = "lost"
        variants.append(badStatus)
        var fractionalTotal = members
        fractionalTotal["totalCents"] = "207.5"  // made a bare number below
        variants.append(fractionalTotal)
        for name in ["payment", "refund", "shipment"] {
            guard case .object(var inner)? = members[name] else { continue }
            for key in inner.keys {
                var nested = members
                inner[key] = nil
                nested[name] = .object(inner)
                variants.append(nested)
                guard case .object(let original)? = members[name] else { continue }
                inner = original
            }
        }
        var overflowing = try CanonicalJSON.serialize(JSONValue.object(members))
        overflowing = Array(String(decoding: overflowing, as: UTF8.self).replacingOccurrences(of: #""totalCents":207"#, with: #""totalCents":9223372036854775808"#).utf8)
        #expect(handWritten(overflowing) == nil && synthesized(overflowing) == nil)
        for variant in variants {
            var bytes = try CanonicalJSON.serialize(JSONValue.object(variant))
            // Numbers canonical JSON will not write: a fraction, and one past Int64.
            for (quoted, bare) in [(#""207.5""#, "207.5")] {
                bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: quoted, with: bare).utf8)
            }
            let expected = synthesized(bytes)
            #expect(handWritten(bytes) == expected, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// The sealed address (the JSON `PersonalDataVault` writes before sealing) read in place:
    /// the same address, and the synthesized decoder's verdict on every member dropped, nulled
    /// or retyped and on an extra one (a missing or null postal code is nil, the rest required).
    @Test func readsAnAddressAsTheSynthesizedDecoderDoes() throws {
        let members: [String: JSONValue] = ["name": #"张三 "quoted" \"#, "phone": "13800138000", "line1": "建国路88号", "city": "北京",
                                            "postalCode": "100000"]
        func read(_ bytes: [UInt8]) -> ShippingAddress? {
            bytes.withUnsafeBytes { buffer in try? ShippingAddress(stored: StoredObject(buffer, path: "address")) }
        }
        func decoded(_ bytes: [UInt8]) -> ShippingAddress? { try? JSONDecoder().decode(ShippingAddress.self, from: Data(bytes)) }
        let whole = try CanonicalJSON.serialize(JSONValue.object(members))
        #expect(read(whole) == ShippingAddress(name: #"张三 "quoted" \"#, phone: "13800138000", line1: "建国路88号", city: "北京", postalCode: "100000"))
        var variants = [members.merging(["extra": [1, ["deep": nil]]]) { $1 }]
        for name in members.keys {
            for replacement: JSONValue? in [nil, .null, .int(1), ["x": "y"]] {
                var variant = members
                variant[name] = replacement
                variants.append(variant)
            }
        }
        for variant in variants {
            let bytes = try CanonicalJSON.serialize(JSONValue.object(variant))
            #expect(read(bytes) == decoded(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(read(Array("[erased]".utf8)) == nil)
    }
}
