import Testing
@testable import Domain

@Suite struct OrderLifecycleTests {
    func withPayment() throws -> Order.State {
        let order = try placedOrder()
        return order.applying(try Order.decideRequestPayment(paymentId: "PAY1", nonceStr: "n", now: t0, order))
    }

    func paid() throws -> Order.State {
        let order = try withPayment()
        return order.applying(try Order.decidePayment(paymentId: "PAY1", transactionId: "T1", amountCents: 200, paidAt: "2026-11-25T08:01:00Z", now: t0, order).order)
    }

    @Test func theOpenPaymentIsReturnedAgainNotDuplicated() throws {
        let order = try withPayment()
        #expect(order.payment?.paymentId == "PAY1")
        #expect(try Order.decideRequestPayment(paymentId: "PAY2", nonceStr: "m", now: t0, order).isEmpty)
    }

    @Test func paymentOutsideTheWindowOrStateIsRefused() throws {
        let order = try placedOrder()
        #expect(throws: Rejection.self) { try Order.decideRequestPayment(paymentId: "P", nonceStr: "n", now: t0.adding(seconds: 1800), order) }
        let done = try paid()
        #expect(throws: Rejection.self) { try Order.decideRequestPayment(paymentId: "P", nonceStr: "n", now: t0, done) }
    }

    @Test func aVerifiedPaymentSellsTheStockOnce() throws {
        let order = try withPayment()
        let decision = try Order.decidePayment(paymentId: "PAY1", transactionId: "T1", amountCents: 200, paidAt: "x", now: t0, order)
        #expect(decision.stock == [StockMove(skuId: "S1", event: .sold(Sku.Sold(orderId: "O1", quantity: 2)))])
        let after = order.applying(decision.order)
        #expect(after.status == .paid)
        // Providers retry: the repeat changes nothing.
        #expect(try Order.decidePayment(paymentId: "PAY1", transactionId: "T1", amountCents: 200, paidAt: "x", now: t0, after).isEmpty)
    }

    @Test func wrongAmountsAndUnknownPaymentsAreRefused() throws {
        let order = try withPayment()
        #expect(throws: Rejection.amountMismatch(expected: 200, received: 199)) {
            try Order.decidePayment(paymentId: "PAY1", transactionId: "T1", amountCents: 199, paidAt: "x", now: t0, order)
        }
        #expect(throws: Rejection.notFound(resource: "payment", id: "OTHER")) {
            try Order.decidePayment(paymentId: "OTHER", transactionId: "T1", amountCents: 200, paidAt: "x", now: t0, order)
        }
    }

    @Test func aLatePaymentIsRefundedWithoutTakingStockAgain() throws {
        let order = try withPayment()
        let cancelled = order.applying(try Order.decideCancel(reason: .paymentTimeout, now: t0.adding(seconds: 1801), order).order)
        let decision = try Order.decidePayment(paymentId: "PAY1", transactionId: "T9", amountCents: 200, paidAt: "x", now: t0.adding(seconds: 1900), cancelled)
        #expect(decision.stock.isEmpty)
        let refunded = cancelled.applying(decision.order)
        #expect(refunded.status == .refunded)
        #expect(refunded.refund?.automaticReason == "paid_after_cancellation")
        #expect(refunded.refund?.outcome == "approved")
        #expect(refunded.history.last?.reason == "paid_after_cancellation")
    }

    @Test func cancellationReleasesStockAndOnlyFromAwaitingPayment() throws {
        let order = try placedOrder()
        let decision = try Order.decideCancel(reason: .customer, now: t0, order)
        #expect(decision.stock == [StockMove(skuId: "S1", event: .released(Sku.Released(orderId: "O1", quantity: 2, reason: "customer")))])
        #expect(order.applying(decision.order).history.last == Order.HistoryEntry(status: .cancelled, at: t0, reason: "customer"))
        #expect(throws: Rejection.self) { try Order.decideCancel(reason: .customer, now: t0, try paid()) }
        // The timer's cancel is idempotent and waits for the deadline.
        #expect(try Order.decideCancel(reason: .paymentTimeout, now: t0, order).isEmpty)
        #expect(try Order.decideCancel(reason: .paymentTimeout, now: t0.adding(seconds: 9999), try paid()).isEmpty)
    }

    @Test func shipReceiveAndAutoReceive() throws {
        let order = try paid()
        #expect(throws: Rejection.self) { try Order.decideReceive(now: t0, order) }
        let shipped = order.applying(try Order.decideShip(carrier: "SF", trackingNumber: "SF1", now: t0, order))
        #expect(shipped.shipment?.carrier == "SF")
        #expect(throws: Rejection.self) { try Order.decideShip(carrier: "SF", trackingNumber: "SF1", now: t0, shipped) }
        #expect(Order.decideAutoReceive(now: t0.adding(seconds: 6 * 86_400), afterDays: 7, shipped).isEmpty)
        let auto = shipped.applying(Order.decideAutoReceive(now: t0.adding(seconds: 7 * 86_400), afterDays: 7, shipped))
        #expect(auto.status == .completed)
        #expect(auto.history.last?.reason == "auto_received")
        let received = shipped.applying(try Order.decideReceive(now: t0, shipped))
        #expect(received.history.last?.reason == nil)
    }

    @Test func aRefundBeforeShippingRestocksAfterShippingNot() throws {
        let order = try paid()
        let requested = order.applying(try Order.decideRefundRequest(reason: sealed("坏了"), now: t0, order))
        #expect(requested.status == .refundRequested)
        let approved = try Order.decideRefund(approve: true, now: t0, requested)
        #expect(approved.stock == [StockMove(skuId: "S1", event: .returned(Sku.Returned(orderId: "O1", quantity: 2)))])
        #expect(requested.applying(approved.order).status == .refunded)

        let shipped = order.applying(try Order.decideShip(carrier: "SF", trackingNumber: "1", now: t0, order))
        let requestedAfterShipping = shipped.applying(try Order.decideRefundRequest(reason: sealed("x"), now: t0, shipped))
        #expect(try Order.decideRefund(approve: true, now: t0, requestedAfterShipping).stock.isEmpty)
    }

    @Test func aRejectedRefundGoesBackWhereItWas() throws {
        let shipped = try paid().applying([.shipped(Order.Shipped(carrier: "SF", trackingNumber: "1", shippedAt: t0))])
        let requested = shipped.applying(try Order.decideRefundRequest(reason: sealed("x"), now: t0, shipped))
        let rejected = requested.applying(try Order.decideRefund(approve: false, now: t0, requested).order)
        #expect(rejected.status == .shipped)
        #expect(rejected.refund?.outcome == "rejected")
        #expect(rejected.history.last == Order.HistoryEntry(status: .shipped, at: t0, reason: "refund_rejected"))
        #expect(throws: Rejection.self) { try Order.decideRefund(approve: true, now: t0, rejected) }
        #expect(throws: Rejection.self) { try Order.decideRefundRequest(reason: sealed("x"), now: t0, try placedOrder()) }
    }
}
