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
        // Opened once, before writing: the writer starts again in more room when an order is
        // larger than its first guess.
        let opened = Opened(
            address: order.address.map { sealed in placed.flatMap { $0.sealed == sealed ? $0.address : nil } ?? vault.openAddress(sealed) }
                ?? ShippingAddress(name: Sealed.erasedText, phone: Sealed.erasedText, line1: Sealed.erasedText, city: Sealed.erasedText,
                                   postalCode: Sealed.erasedText),
            note: order.note.map { vault.open($0) },
            refundReason: order.refund.map { $0.reason.map { vault.open($0) } ?? $0.automaticReason ?? Sealed.erasedText })
        return BoundedWriter.bytes(sizeHint: 640 + 384 * order.lines.count + 96 * order.history.count) { out in
            write(order, opened, version: version, position: position, into: &out)
        }
    }

    /// An order's personal data, opened for the answer.
    private struct Opened {
        let address: ShippingAddress
        let note: String?
        let refundReason: String?
    }

    private static func write(_ order: Order.State, _ opened: Opened, version: UInt64, position: UInt64?, into out: inout BoundedWriter) {
        out.member("address", first: true)
        writeAddress(opened.address, into: &out)
        out.member("createdAt")
        RFC3339.writeSecondsString(millis: order.placedAt.millis, into: &out)
        out.member("history")
        out.array(order.history) { entry, out in
            out.member("at", first: true)
            RFC3339.writeSecondsString(millis: entry.at.millis, into: &out)
            if let reason = entry.reason {
                out.member("reason")
                out.string(reason)
            }
            out.member("status")
            out.string(entry.status.rawValue)
            out.byte(UInt8(ascii: "}"))
        }
        out.member("items")
        out.array(order.lines, writeLine)
        out.member("note")
        writeOptional(opened.note, into: &out)
        out.member("orderId")
        out.string(order.orderId)
        out.member("payBy")
        RFC3339.writeSecondsString(millis: order.payBy.millis, into: &out)
        if let position {
            out.member("position")
            out.integer(Int64(position))
        }
        out.member("refund")
        if let refund = order.refund {
            if let outcome = refund.outcome {
                out.member("outcome", first: true)
                out.string(outcome)
                out.member("reason")
            } else {
                out.member("reason", first: true)
            }
            out.string(opened.refundReason ?? Sealed.erasedText)
            out.member("requestedAt")
            RFC3339.writeSecondsString(millis: refund.requestedAt.millis, into: &out)
            out.byte(UInt8(ascii: "}"))
        } else {
            out.literal("null")
        }
        out.member("shipment")
        if let shipment = order.shipment {
            out.member("carrier", first: true)
            out.string(shipment.carrier)
            out.member("shippedAt")
            RFC3339.writeSecondsString(millis: shipment.shippedAt.millis, into: &out)
            out.member("trackingNumber")
            out.string(shipment.trackingNumber)
            out.byte(UInt8(ascii: "}"))
        } else {
            out.literal("null")
        }
        out.member("status")
        out.string(order.status.rawValue)
        out.member("totalCents")
        out.integer(order.totalCents)
        out.member("userId")
        out.string(order.userId)
        out.member("version")
        out.integer(Int64(version))
        out.byte(UInt8(ascii: "}"))
    }

    private static func writeAddress(_ address: ShippingAddress, into out: inout BoundedWriter) {
        out.member("city", first: true)
        out.string(address.city)
        out.member("line1")
        out.string(address.line1)
        out.member("name")
        out.string(address.name)
        out.member("phone")
        out.string(address.phone)
        out.member("postalCode")
        writeOptional(address.postalCode, into: &out)
        out.byte(UInt8(ascii: "}"))
    }

    private static func writeLine(_ line: OrderLine, into out: inout BoundedWriter) {
        LineJSON.writeMembers(lineTotalCents: line.lineTotalCents, priceCents: line.priceCents, productId: line.productId, quantity: line.quantity,
                              skuId: line.skuId, specs: SpecEntry.uniqueByName(line.specs), title: line.title,
                              first: true, into: &out)
        out.byte(UInt8(ascii: "}"))
    }

    private static func writeOptional(_ text: String?, into out: inout BoundedWriter) {
        if let text { out.string(text) } else { out.literal("null") }
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
