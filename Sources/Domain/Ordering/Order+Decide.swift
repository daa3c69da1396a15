/// Order decisions after placement. Each returns `OrderDecision` (events for the order and
/// the skus it moves); an empty decision means "nothing to do", so repeats are safe.
extension Order {
    public static func decideRequestPayment(paymentId: String, nonceStr: String, now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard state.status == .awaitingPayment else { throw .invalidState("order is \(state.status.rawValue); only an order awaiting payment can be paid") }
        if state.payment != nil { return [] }  // the open payment is returned again
        guard now < state.payBy else { throw .invalidState("the payment window closed at \(state.payBy.rfc3339Seconds)") }
        return [.paymentRequested(PaymentRequested(paymentId: paymentId, amountCents: state.totalCents, nonceStr: nonceStr,
                                                   timeStamp: String(now.unixSeconds), expiresAt: state.payBy))]
    }

    /// A verified payment notification. Repeats change nothing; a payment for an order that
    /// was cancelled meanwhile is recorded and refunded at once, stock untouched.
    public static func decidePayment(paymentId: String, transactionId: String, amountCents: Int64, paidAt: String, now: Timestamp,
                                     _ state: State) throws(Rejection) -> OrderDecision {
        guard state.exists, let payment = state.payment, payment.paymentId == paymentId else {
            throw .notFound(resource: "payment", id: paymentId)
        }
        guard amountCents == state.totalCents else { throw .amountMismatch(expected: state.totalCents, received: amountCents) }
        if payment.transactionId != nil { return OrderDecision() }
        switch state.status {
        case .awaitingPayment:
            let paid = Paid(paymentId: paymentId, transactionId: transactionId, amountCents: amountCents, paidAt: paidAt, recordedAt: now)
            return OrderDecision(order: [.paid(paid)], stock: state.lines.map {
                StockMove(skuId: $0.skuId, event: Sku.sell(orderId: state.orderId, quantity: Int64($0.quantity)))
            })
        case .cancelled:
            let refunded = LatePaymentRefunded(paymentId: paymentId, transactionId: transactionId, amountCents: amountCents, paidAt: paidAt, at: now)
            return OrderDecision(order: [.latePaymentRefunded(refunded)])
        default:
            return OrderDecision()
        }
    }

    public enum CancelReason: String, Sendable {
        case customer
        case paymentTimeout = "payment_timeout"
        case accountErased = "account_erased"
    }

    /// Cancels an order awaiting payment and releases its stock. A timeout before `payBy`, or
    /// for an order no longer awaiting payment, does nothing; a customer's cancel of any other
    /// state is refused.
    public static func decideCancel(reason: CancelReason, now: Timestamp, _ state: State) throws(Rejection) -> OrderDecision {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard state.status == .awaitingPayment else {
            if reason == .customer { throw .invalidState("order is \(state.status.rawValue); only an order awaiting payment can be cancelled") }
            return OrderDecision()
        }
        if reason == .paymentTimeout && now < state.payBy { return OrderDecision() }
        return OrderDecision(order: [.cancelled(Cancelled(reason: reason.rawValue, at: now))], stock: state.lines.map {
            StockMove(skuId: $0.skuId, event: Sku.release(orderId: state.orderId, quantity: Int64($0.quantity), reason: reason.rawValue))
        })
    }

    public static func decideShip(carrier: String, trackingNumber: String, now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard state.status == .paid else { throw .invalidState("order is \(state.status.rawValue); only a paid order can ship") }
        return [.shipped(Shipped(carrier: carrier, trackingNumber: trackingNumber, shippedAt: now))]
    }

    public static func decideReceive(now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard state.status == .shipped else { throw .invalidState("order is \(state.status.rawValue); only a shipped order can be received") }
        return [.completed(Completed(reason: "received", at: now))]
    }

    /// Completes a shipped order `days` after shipping; otherwise nothing.
    public static func decideAutoReceive(now: Timestamp, afterDays days: Int, _ state: State) -> [Event] {
        guard state.exists, state.status == .shipped, let shipment = state.shipment,
              now >= shipment.shippedAt.adding(seconds: Int64(days) * 86_400) else { return [] }
        return [.completed(Completed(reason: "auto_received", at: now))]
    }

    public static func decideRefundRequest(reason: Sealed, now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard [.paid, .shipped, .completed].contains(state.status) else {
            throw .invalidState("order is \(state.status.rawValue); a refund can be requested for paid, shipped or completed orders")
        }
        return [.refundRequested(RefundRequested(reason: reason, requestedAt: now, fromStatus: state.status))]
    }

    /// Approving a refund requested before shipping puts the stock back on sale; after
    /// shipping, returned goods are restocked by hand.
    public static func decideRefund(approve: Bool, now: Timestamp, _ state: State) throws(Rejection) -> OrderDecision {
        guard state.exists else { throw .notFound(resource: "order", id: state.orderId) }
        guard state.status == .refundRequested else { throw .invalidState("order is \(state.status.rawValue); no refund is pending") }
        guard approve else { return OrderDecision(order: [.refundRejected(RefundRejected(at: now))]) }
        let beforeShipping = state.refund?.fromStatus == .paid
        let approved = RefundApproved(at: now, restocked: beforeShipping, amountCents: state.totalCents)
        let stock = beforeShipping ? state.lines.map { StockMove(skuId: $0.skuId, event: Sku.giveBack(orderId: state.orderId, quantity: Int64($0.quantity))) } : []
        return OrderDecision(order: [.refundApproved(approved)], stock: stock)
    }
}
