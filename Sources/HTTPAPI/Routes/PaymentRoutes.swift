import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The payment provider's notification: authenticated by its signature, not a token;
/// answers `{"result": "SUCCESS"}` to repeats and to late payments too (providers retry).
struct PaymentRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.post, "/v1/payments/notify", EndpointSpec(access: .anyone, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let paymentId = body.string("paymentId", length: 1...64)
            let orderId = body.string("orderId", length: 1...64)
            let amount = body.integer("amountCents", range: 0...Int64.max)
            let transactionId = body.string("transactionId", length: 1...128)
            let paidAt = body.string("paidAt", length: 1...64)
            let signature = body.string("signature", length: 1...256)
            try body.finish()
            guard let paymentId, let orderId, let amount, let transactionId, let paidAt, let signature else { throw APIError.internalError }
            let notification = PaymentNotification(paymentId: paymentId, orderId: orderId, amountCents: amount, transactionId: transactionId,
                                                   paidAt: paidAt, signature: signature)
            guard call.services.payments.verify(notification) else { throw APIError.invalidSignature }
            return try await call.command(status: .ok, render: { (_: OrderSnapshot, position: UInt64) in
                Reply.command(["result": "SUCCESS"], position: position)
            }) { claim, remember in
                try await call.services.processor.recordPayment(orderId: orderId, paymentId: paymentId, transactionId: transactionId, amountCents: amount,
                                                                paidAt: paidAt, metadata: call.metadata)
            }
        }
    }
}
