import Application
import CryptoPrimitives
import Domain
import EventStore
import TestSupport
import Testing

@Suite struct LifecycleTests {
    @Test func unpaidOrdersTimeOutAndReleaseStockEvenAcrossARestart() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        var orderId = ""
        do {
            let app = try await Harness(dir: dir, clock: clock)
            try await app.seedProduct(stock: 3)
            orderId = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)]).order.orderId
            clock.advance(seconds: 1799)
            #expect(try await app.scheduler.tick() == 0)
            app.close()
        }
        // A new process: the deadline is still there.
        let app = try await Harness(dir: dir, clock: clock)
        defer { app.close() }
        clock.advance(seconds: 2)
        #expect(try await app.scheduler.tick() == 1)
        let order = try app.order(orderId)
        #expect(order.status == .cancelled)
        #expect(order.history.last?.reason == "payment_timeout")
        #expect(try app.sku("S1").available == 3)
        #expect(try await app.scheduler.tick() == 0)
    }

    @Test func paymentsShippingAutoReceiveAndRefunds() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)
        let provider = SandboxPaymentProvider(secret: "s", appId: "wx1")
        let placed = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)])
        let id = placed.order.orderId
        let payment = try await app.processor.act(on: id, .requestPayment(paymentId: "PAY1", nonceStr: "abc"), userId: "U1", metadata: app.meta("U1"))
        let open = try #require(payment.value?.order.payment)
        let request = provider.requestPayment(for: open)
        #expect(request.package == "prepay_id=PAY1")
        #expect(request.paySign == Hex.encodeUppercase(HMACSHA256.authenticate(
            "appId=wx1&nonceStr=abc&package=prepay_id=PAY1&signType=HMAC-SHA256&timeStamp=\(open.timeStamp)", key: Array("s".utf8))))
        // Asking again returns the same open payment.
        let again = try await app.processor.act(on: id, .requestPayment(paymentId: "PAY2", nonceStr: "x"), userId: "U1", metadata: app.meta("U1"))
        #expect(again.value?.order.payment?.paymentId == "PAY1")

        var notification = PaymentNotification(paymentId: "PAY1", orderId: id, amountCents: 200, transactionId: "T1", paidAt: "2026-11-25T08:05:00Z", signature: "")
        #expect(!provider.verify(notification))
        notification = PaymentNotification(paymentId: "PAY1", orderId: id, amountCents: 200, transactionId: "T1", paidAt: "2026-11-25T08:05:00Z",
                                           signature: provider.signature(for: notification))
        #expect(provider.verify(notification))
        let paid = try await app.processor.recordPayment(orderId: id, paymentId: "PAY1", transactionId: "T1", amountCents: 200, paidAt: notification.paidAt,
                                                         metadata: app.meta("provider"))
        #expect(paid.value?.order.status == .paid)
        let head = try app.store.headPosition
        _ = try await app.processor.recordPayment(orderId: id, paymentId: "PAY1", transactionId: "T1", amountCents: 200, paidAt: notification.paidAt,
                                                  metadata: app.meta("provider"))
        #expect(try app.store.headPosition == head, "a repeated notification appends nothing")
        #expect(try app.sku("S1").sold == 2)

        _ = try await app.processor.act(on: id, .ship(carrier: "SF", trackingNumber: "SF123"), userId: nil, metadata: app.meta("admin"))
        app.clock.advance(seconds: 7 * 86_400 + 1)
        #expect(try await app.scheduler.tick() == 1)
        #expect(try app.order(id).status == .completed)
        #expect(try app.order(id).history.last?.reason == "auto_received")

        let refund = try await app.processor.act(on: id, .requestRefund(reason: try await app.sealed("坏了", for: "U1")), userId: "U1", metadata: app.meta("U1"))
        #expect(refund.value?.order.status == .refundRequested)
        let rejected = try await app.processor.act(on: id, .decideRefund(approve: false), userId: nil, metadata: app.meta("admin"))
        #expect(rejected.value?.order.status == .completed)
    }

    @Test func aLatePaymentIsRefundedAutomatically() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)
        let id = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId
        _ = try await app.processor.act(on: id, .requestPayment(paymentId: "PAY1", nonceStr: "n"), userId: "U1", metadata: app.meta("U1"))
        app.clock.advance(seconds: 1801)
        try await app.scheduler.tick()
        let late = try await app.processor.recordPayment(orderId: id, paymentId: "PAY1", transactionId: "T", amountCents: 100, paidAt: "x", metadata: app.meta())
        #expect(late.value?.order.status == .refunded)
        #expect(late.value?.order.refund?.automaticReason == "paid_after_cancellation")
        let sku = try app.sku("S1")
        #expect(sku.available == 5 && sku.sold == 0 && sku.reserved == 0)
    }
}
