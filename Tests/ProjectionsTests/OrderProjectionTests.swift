import Application
import Domain
import Foundation
import Projections
import TestSupport
import Testing

@Suite struct OrderProjectionTests {
    @Test func ordersByBuyerStatusAndShop() async throws {
        let world = try await World()
        try await world.product("P1", title: "手机", skus: [("S1", 100)], stock: 50)
        let first = try await world.app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)]).order.orderId
        let second = try await world.app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId
        let other = try await world.app.place(userId: "U2", lines: [RequestedLine(skuId: "S1", quantity: 3)]).order.orderId
        _ = try await world.app.processor.act(on: first, .cancel, userId: "U1", metadata: world.app.meta("U1"))
        try await world.settle()

        let mine = try world.orders.list(userId: "U1", status: nil, page: 1, pageSize: 20)
        #expect(mine.total == 2)
        #expect(try mine.items.map { try decode(OrdersProjection.OrderSummary.self, $0).orderId } == [second, first])
        let cancelled = try world.orders.list(userId: "U1", status: .cancelled, page: 1, pageSize: 20)
        #expect(cancelled.total == 1)
        #expect(try decode(OrdersProjection.OrderSummary.self, cancelled.items[0]).itemCount == 2)
        #expect(try world.orders.list(userId: nil, status: .awaitingPayment, page: 1, pageSize: 20).total == 2)
        #expect(try world.orders.list(userId: nil, status: nil, page: 2, pageSize: 2).items.count == 1)
        let detail = try #require(try world.orders.order(other).value)
        #expect(detail.order.userId == "U2" && detail.version == 1)
        #expect(world.app.vault.openAddress(try #require(detail.order.address)).city == "北京")
        await world.close()
    }

    @Test func cartsJoinTheCatalog() async throws {
        let world = try await World()
        try await world.product("P1", title: "华为手机", skus: [("S1", 250)], stock: 7)
        _ = try await world.app.processor.changeCart(userId: "U1", .add(skuId: "S1", quantity: 3), metadata: world.app.meta("U1"))
        try await world.settle()
        let cart = try world.carts.cart("U1").value
        #expect(cart.items == [CartQueries.Line(skuId: "S1", productId: "P1", title: "华为手机", specs: ["颜色": "黑"], priceCents: 250, quantity: 3,
                                                 lineTotalCents: 750, available: 7)])
        #expect(cart.totalCents == 750 && cart.version == 1)
        #expect(try world.carts.cart("nobody").value.items.isEmpty)
        await world.close()
    }

    @Test func theSalesReportCountsPaymentsAndApprovedRefunds() async throws {
        let world = try await World()
        try await world.product("P1", title: "手机", skus: [("S1", 100), ("S2", 30)], stock: 50)
        let app = world.app
        func pay(_ orderId: String, total: Int64) async throws {
            _ = try await app.processor.act(on: orderId, .requestPayment(paymentId: "PAY-\(orderId)", nonceStr: "n"), userId: nil, metadata: app.meta())
            _ = try await app.processor.recordPayment(orderId: orderId, paymentId: "PAY-\(orderId)", transactionId: "T", amountCents: total, paidAt: "x",
                                                      metadata: app.meta())
        }
        let a = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2), RequestedLine(skuId: "S2", quantity: 1)]).order
        try await pay(a.orderId, total: a.totalCents)
        app.clock.advance(seconds: 86_400)
        let b = try await app.place(userId: "U2", lines: [RequestedLine(skuId: "S1", quantity: 1)]).order
        try await pay(b.orderId, total: b.totalCents)
        _ = try await app.processor.act(on: b.orderId, .requestRefund(reason: try await app.sealed("不要了", for: "U2")), userId: "U2", metadata: app.meta())
        _ = try await app.processor.act(on: b.orderId, .decideRefund(approve: true), userId: nil, metadata: app.meta())
        // A late payment, refunded automatically, is left out.
        let c = try await app.place(userId: "U3", lines: [RequestedLine(skuId: "S2", quantity: 1)]).order
        _ = try await app.processor.act(on: c.orderId, .requestPayment(paymentId: "PAY-C", nonceStr: "n"), userId: nil, metadata: app.meta())
        app.clock.advance(seconds: 1801)
        try await app.scheduler.tick()
        _ = try await app.processor.recordPayment(orderId: c.orderId, paymentId: "PAY-C", transactionId: "T", amountCents: 30, paidAt: "x", metadata: app.meta())
        try await world.settle()

        let days = try world.sales.report(from: nil, to: nil, groupBy: .day).value
        #expect(days.map(\.key) == ["2026-11-25", "2026-11-26"])
        #expect(days[0] == SalesQueries.Row(key: "2026-11-25", orders: 1, units: 3, revenueCents: 230, refundedCents: 0))
        #expect(days[1] == SalesQueries.Row(key: "2026-11-26", orders: 1, units: 1, revenueCents: 100, refundedCents: 100))
        let skus = try world.sales.report(from: "2026-11-25", to: "2026-11-26", groupBy: .sku).value
        #expect(skus == [SalesQueries.Row(key: "S1", orders: 2, units: 3, revenueCents: 300, refundedCents: 100),
                         SalesQueries.Row(key: "S2", orders: 1, units: 1, revenueCents: 30, refundedCents: 0)])
        #expect(try world.sales.report(from: "2026-11-26", to: "2026-11-26", groupBy: .day).value.count == 1)
        await world.close()
    }

    /// An order is at most 2^53 − 1 cents, so 1,025 of them paid in one day overflow a 64-bit
    /// sum: the figures stop at Int64.max instead of trapping (which took the read-model thread,
    /// and with it the server, down), and so does the report summing days per sku.
    @Test func salesFiguresStopAtTheLargestNumberInsteadOfCrashing() async throws {
        let world = try await World()
        let app = world.app
        let maxPrice = OrderPlacement.maxSafeInteger
        try await world.product("P1", title: "天价", skus: [("S1", maxPrice)], stock: 1100)
        func placeAndPay(_ buyer: Int) async throws {
            let order = try await app.place(userId: "U\(buyer)", lines: [RequestedLine(skuId: "S1", quantity: 1)]).order
            _ = try await app.processor.act(on: order.orderId, .requestPayment(paymentId: "PAY-\(buyer)", nonceStr: "n"), userId: nil, metadata: app.meta())
            _ = try await app.processor.recordPayment(orderId: order.orderId, paymentId: "PAY-\(buyer)", transactionId: "T", amountCents: order.totalCents,
                                                      paidAt: "x", metadata: app.meta())
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask { for buyer in stride(from: worker, to: 1025, by: 16) { try await placeAndPay(buyer) } }
            }
            try await group.waitForAll()
        }
        app.clock.advance(seconds: 86_400)
        try await placeAndPay(1025)
        try await world.settle()

        let days = try world.sales.report(from: nil, to: nil, groupBy: .day).value
        #expect(days.map(\.orders) == [1025, 1])
        #expect(days.map(\.revenueCents) == [Int64.max, maxPrice])
        let skus = try world.sales.report(from: nil, to: nil, groupBy: .sku).value
        #expect(skus == [SalesQueries.Row(key: "S1", orders: 1026, units: 1026, revenueCents: Int64.max, refundedCents: 0)])
        await world.close()
    }

    @Test func supportAndErasureScrubPersonalData() async throws {
        let world = try await World()
        let app = world.app
        try await world.product("P1", title: "手机", skus: [("S1", 100)], stock: 5)
        let session = try await app.accounts.register(username: "grace", password: "password1", metadata: app.meta())
        let order = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 1)]).order
        _ = try await app.processor.postSupportMessage(customerId: session.userId, Support.Post(
            messageId: "M1", from: .customer, text: try app.vault.seal("快递到哪了", for: session.userId), orderId: order.orderId, agentId: nil,
            now: app.clock.now()), metadata: app.meta())
        try await world.settle()
        let conversations = try world.support.conversations().value.conversations
        #expect(conversations.count == 1 && conversations[0].awaitingReply)
        #expect(app.vault.open(try #require(conversations[0].username)) == "grace")
        #expect(app.vault.open(try #require(try world.support.messages(session.userId).value.messages.first?.text)) == "快递到哪了")

        _ = try await app.accounts.erase(userId: session.userId, password: "password1", metadata: app.meta())
        try await world.settle()
        #expect(try world.support.messages(session.userId).value.messages.first?.text == Sealed.scrubbed)
        #expect(try world.support.conversations().value.conversations.first?.username == Sealed.scrubbed)
        let erased = try #require(try world.orders.order(order.orderId).value)
        #expect(erased.erased && erased.order.address == Sealed.scrubbed && erased.order.status == .cancelled)
        #expect(erased.order.totalCents == 100)
        await world.close()
    }
}
