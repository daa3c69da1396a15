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
    /// `placed`: the plaintext the caller has just sealed into this order, so the answer to
    /// `POST /v1/orders` need not decrypt what it encrypted a moment ago.
    static func order(_ order: Order.State, version: UInt64, vault: PersonalDataVault,
                      placed: (sealed: Sealed, address: ShippingAddress)? = nil) -> JSONValue {
        let address: JSONValue = order.address.map { sealed in
            let a = placed.flatMap { $0.sealed == sealed ? $0.address : nil } ?? vault.openAddress(sealed)
            return .object(["name": .string(a.name), "phone": .string(a.phone), "line1": .string(a.line1), "city": .string(a.city),
                            "postalCode": a.postalCode.map(JSONValue.string) ?? .null])
        } ?? erasedAddress
        return .object([
            "orderId": .string(order.orderId),
            "userId": .string(order.userId),
            "status": .string(order.status.rawValue),
            "items": .array(order.lines.map(line)),
            "totalCents": .int(order.totalCents),
            "address": address,
            "note": order.note.map { .string(vault.open($0)) } ?? .null,
            "createdAt": .string(order.placedAt.rfc3339Seconds),
            "payBy": .string(order.payBy.rfc3339Seconds),
            "history": .array(order.history.map { entry in
                var members: [String: JSONValue] = ["status": .string(entry.status.rawValue), "at": .string(entry.at.rfc3339Seconds)]
                if let reason = entry.reason { members["reason"] = .string(reason) }
                return .object(members)
            }),
            "shipment": order.shipment.map { .object(["carrier": .string($0.carrier), "trackingNumber": .string($0.trackingNumber),
                                                      "shippedAt": .string($0.shippedAt.rfc3339Seconds)]) } ?? .null,
            "refund": order.refund.map { refund in
                var members: [String: JSONValue] = [
                    "reason": .string(refund.reason.map { vault.open($0) } ?? refund.automaticReason ?? Sealed.erasedText),
                    "requestedAt": .string(refund.requestedAt.rfc3339Seconds),
                ]
                if let outcome = refund.outcome { members["outcome"] = .string(outcome) }
                return .object(members)
            } ?? .null,
            "version": .int(Int64(version)),
        ])
    }

    /// What an order erased by its buyer shows: every field kept, each `[erased]`.
    static let erasedAddress: JSONValue = .object([
        "name": .string(Sealed.erasedText), "phone": .string(Sealed.erasedText), "line1": .string(Sealed.erasedText),
        "city": .string(Sealed.erasedText), "postalCode": .string(Sealed.erasedText),
    ])

    static func line(_ line: OrderLine) -> JSONValue {
        .object([
            "skuId": .string(line.skuId), "productId": .string(line.productId), "title": .string(line.title),
            "specs": .object(SpecEntry.dictionary(line.specs).mapValues(JSONValue.string)), "priceCents": .int(line.priceCents),
            "quantity": .int(Int64(line.quantity)), "lineTotalCents": .int(line.lineTotalCents),
        ])
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
