import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The order of API.md, personal data opened for the answer (or `[erased]`).
enum OrderRendering {
    /// The order's JSON, written straight to bytes with its members in the sorted order every
    /// other answer has (`JSONValue.serialized()`): building a `JSONValue` tree and sorting each
    /// object's members was an eighth of a request handler's CPU on `POST /v1/orders`.
    ///
    /// `position` (commands) is the log position of the answer's last event. `placed`: the
    /// plaintext the caller has just sealed into this order, so the answer to `POST /v1/orders`
    /// need not decrypt what it encrypted a moment ago.
    static func bytes(_ order: Order.State, version: UInt64, position: UInt64? = nil, vault: PersonalDataVault,
                      placed: (sealed: Sealed, address: ShippingAddress)? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        CanonicalJSON.member("address", first: true, into: &out)
        if let sealed = order.address {
            writeAddress(placed.flatMap { $0.sealed == sealed ? $0.address : nil } ?? vault.openAddress(sealed), into: &out)
        } else {
            let erased = ShippingAddress(name: Sealed.erasedText, phone: Sealed.erasedText, line1: Sealed.erasedText, city: Sealed.erasedText,
                                         postalCode: Sealed.erasedText)
            writeAddress(erased, into: &out)
        }
        CanonicalJSON.member("createdAt", into: &out)
        CanonicalJSON.writeString(order.placedAt.rfc3339Seconds, into: &out)
        CanonicalJSON.member("history", into: &out)
        CanonicalJSON.writeArray(order.history, into: &out) { entry, out in
            CanonicalJSON.member("at", first: true, into: &out)
            CanonicalJSON.writeString(entry.at.rfc3339Seconds, into: &out)
            if let reason = entry.reason {
                CanonicalJSON.member("reason", into: &out)
                CanonicalJSON.writeString(reason, into: &out)
            }
            CanonicalJSON.member("status", into: &out)
            CanonicalJSON.writeString(entry.status.rawValue, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        CanonicalJSON.member("items", into: &out)
        CanonicalJSON.writeArray(order.lines, into: &out, writeLine)
        CanonicalJSON.member("note", into: &out)
        writeOptional(order.note.map { vault.open($0) }, into: &out)
        CanonicalJSON.member("orderId", into: &out)
        CanonicalJSON.writeString(order.orderId, into: &out)
        CanonicalJSON.member("payBy", into: &out)
        CanonicalJSON.writeString(order.payBy.rfc3339Seconds, into: &out)
        if let position {
            CanonicalJSON.member("position", into: &out)
            CanonicalJSON.writeInteger(Int64(position), into: &out)
        }
        CanonicalJSON.member("refund", into: &out)
        if let refund = order.refund {
            if let outcome = refund.outcome {
                CanonicalJSON.member("outcome", first: true, into: &out)
                CanonicalJSON.writeString(outcome, into: &out)
                CanonicalJSON.member("reason", into: &out)
            } else {
                CanonicalJSON.member("reason", first: true, into: &out)
            }
            CanonicalJSON.writeString(refund.reason.map { vault.open($0) } ?? refund.automaticReason ?? Sealed.erasedText, into: &out)
            CanonicalJSON.member("requestedAt", into: &out)
            CanonicalJSON.writeString(refund.requestedAt.rfc3339Seconds, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        CanonicalJSON.member("shipment", into: &out)
        if let shipment = order.shipment {
            CanonicalJSON.member("carrier", first: true, into: &out)
            CanonicalJSON.writeString(shipment.carrier, into: &out)
            CanonicalJSON.member("shippedAt", into: &out)
            CanonicalJSON.writeString(shipment.shippedAt.rfc3339Seconds, into: &out)
            CanonicalJSON.member("trackingNumber", into: &out)
            CanonicalJSON.writeString(shipment.trackingNumber, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        CanonicalJSON.member("status", into: &out)
        CanonicalJSON.writeString(order.status.rawValue, into: &out)
        CanonicalJSON.member("totalCents", into: &out)
        CanonicalJSON.writeInteger(order.totalCents, into: &out)
        CanonicalJSON.member("userId", into: &out)
        CanonicalJSON.writeString(order.userId, into: &out)
        CanonicalJSON.member("version", into: &out)
        CanonicalJSON.writeInteger(Int64(version), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func writeAddress(_ address: ShippingAddress, into out: inout [UInt8]) {
        CanonicalJSON.member("city", first: true, into: &out)
        CanonicalJSON.writeString(address.city, into: &out)
        CanonicalJSON.member("line1", into: &out)
        CanonicalJSON.writeString(address.line1, into: &out)
        CanonicalJSON.member("name", into: &out)
        CanonicalJSON.writeString(address.name, into: &out)
        CanonicalJSON.member("phone", into: &out)
        CanonicalJSON.writeString(address.phone, into: &out)
        CanonicalJSON.member("postalCode", into: &out)
        writeOptional(address.postalCode, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func writeLine(_ line: OrderLine, into out: inout [UInt8]) {
        LineJSON.writeMembers(lineTotalCents: line.lineTotalCents, priceCents: line.priceCents, productId: line.productId, quantity: line.quantity,
                              skuId: line.skuId, specs: SpecEntry.dictionary(line.specs).map { ($0.key, $0.value) }, title: line.title,
                              first: true, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func writeOptional(_ text: String?, into out: inout [UInt8]) {
        if let text { CanonicalJSON.writeString(text, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// `POST /v1/orders/{id}/payments`.
    static func payment(_ order: Order.State, provider: any PaymentProvider) -> JSONValue? {
        guard let payment = order.payment else { return nil }
        let request = provider.requestPayment(for: payment)
        return .object([
            "paymentId": .string(payment.paymentId),
            "orderId": .string(order.orderId),
            "amountCents": .int(payment.amountCents),
            "expiresAt": .string(payment.expiresAt.rfc3339Seconds),
            "requestPayment": .object([
                "timeStamp": .string(request.timeStamp), "nonceStr": .string(request.nonceStr), "package": .string(request.package),
                "signType": .string(request.signType), "paySign": .string(request.paySign),
            ]),
        ])
    }
}
