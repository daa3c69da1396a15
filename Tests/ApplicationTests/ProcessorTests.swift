import Application
import Domain
import EventStore
import TestSupport
import Testing

@Suite struct ProcessorTests {
    @Test func aThousandBuyersRaceForAHundredUnits() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 100)
        let results = await withTaskGroup(of: String.self) { group in
            for i in 0..<1000 {
                group.addTask {
                    do {
                        _ = try await app.place(userId: "U\(i)", lines: [RequestedLine(skuId: "S1", quantity: 1)])
                        return "ok"
                    } catch Rejection.outOfStock {
                        return "out"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(results == ["ok": 100, "out": 900])
        let sku = try app.sku("S1")
        #expect(sku.available == 0 && sku.reserved == 100 && sku.ledgerBalances)
        guard case .verified = try app.store.verify() else {
            Issue.record("log does not verify")
            return
        }
    }

    @Test func aSnapshotLoadedSkuEqualsTheFoldedOne() async throws {
        let dir = TemporaryDirectory()
        var configuration = CommandProcessor.Configuration()
        configuration.snapshotInterval = 25
        do {
            let app = try await Harness(dir: dir, configuration: configuration)
            try await app.seedProduct(stock: 500)
            for i in 0..<120 { _ = try await app.place(userId: "U\(i % 7)", lines: [RequestedLine(skuId: "S1", quantity: 1 + i % 3)]) }
            #expect(try app.store.snapshot(of: StreamId.sku("S1")) != nil)
            app.close()
        }
        // A fresh processor has an empty cache: it starts from the snapshot and folds the rest.
        let app = try await Harness(dir: dir, configuration: configuration)
        defer { app.close() }
        let snapshot = try #require(try app.store.snapshot(of: StreamId.sku("S1")))
        #expect(snapshot.version >= 100)
        let placed = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)])
        #expect(placed.order.status == .awaitingPayment)
        let folded = try app.sku("S1")
        let change = try await app.processor.changeSku(skuId: "S1", .restock(1), metadata: app.meta())
        var expected = folded
        expected.available += 1
        expected.restocked += 1
        #expect(change.value?.sku == expected)
    }

    @Test func purchaseLimitsCountLiveOrdersOnly() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 50, limit: 3)
        let first = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)])
        await #expect(throws: Rejection.self) { try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)]) }
        // Someone else is not limited by U1's orders.
        _ = try await app.place(userId: "U2", lines: [RequestedLine(skuId: "S1", quantity: 3)])
        // Cancelling frees U1's units again.
        _ = try await app.processor.act(on: first.order.orderId, .cancel, userId: "U1", metadata: app.meta("U1"))
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 3)])
    }

    @Test func purchaseLimitsHoldWhenTheBuyerFallsOutOfTheCaches() async throws {
        var configuration = CommandProcessor.Configuration()
        configuration.cacheCapacity = 3
        let app = try await Harness(configuration: configuration)
        defer { app.close() }
        try await app.seedProduct(stock: 100, limit: 2)
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)])
        // Other buyers push U1's purchases and order out of the three-entry caches.
        for i in 2...6 { _ = try await app.place(userId: "U\(i)", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
        await #expect(throws: Rejection.self) { try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
    }

    @Test func anotherUsersOrderIsNotFound() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct()
        let order = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)])
        await #expect(throws: Rejection.notFound(resource: "order", id: order.order.orderId)) {
            try await app.processor.act(on: order.order.orderId, .cancel, userId: "U2", metadata: app.meta("U2"))
        }
    }

    @Test func checkoutEmptiesTheCartAndHonoursIfMatch() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct()
        let cart = try await app.processor.changeCart(userId: "U1", .add(skuId: "S1", quantity: 2), metadata: app.meta("U1"))
        #expect(cart.value?.version == 1)
        let now = app.clock.now()
        let command = OrderPlacement.Command(orderId: "O-cart", userId: "U1", lines: nil, address: try await app.address(for: "U1"), note: nil, now: now,
                                             payBy: now.adding(seconds: 1800))
        await #expect(throws: Rejection.versionMismatch(expected: 7, actual: 1)) {
            try await app.processor.placeOrder(command, cartIfMatch: 7, metadata: app.meta("U1"))
        }
        let placed = try await app.processor.placeOrder(command, cartIfMatch: 1, metadata: app.meta("U1"))
        #expect(placed.value?.order.itemCount == 2)
        let after = try await app.processor.changeCart(userId: "U1", .add(skuId: "S1", quantity: 1), metadata: app.meta("U1"))
        #expect(after.value?.lines.map(\.line.quantity) == [1])
        await #expect(throws: Rejection.emptyCart) {
            try await app.processor.placeOrder(OrderPlacement.Command(orderId: "O-2", userId: "U9", lines: nil, address: try await app.address(for: "U1"), note: nil,
                                                                      now: now, payBy: now), metadata: app.meta("U9"))
        }
    }

    /// Each line reserves on its own sku's stream — the ids are made before the writer for the
    /// lines an order names, inside it for a cart's — whether the lines come with the order or
    /// from the cart, and a sku two products share a name prefix with is not confused.
    @Test func everyLineReservesOnItsOwnSkuStream() async throws {
        let app = try await Harness()
        defer { app.close() }
        for skuId in ["S1", "S10", "S2"] { _ = try await app.seedProduct("P-\(skuId)", skuId: skuId, stock: 20) }
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S10", quantity: 3), RequestedLine(skuId: "S1", quantity: 1),
                                                      RequestedLine(skuId: "S2", quantity: 2)])
        _ = try await app.processor.changeCart(userId: "U2", .add(skuId: "S2", quantity: 4), metadata: app.meta("U2"))
        _ = try await app.processor.changeCart(userId: "U2", .add(skuId: "S1", quantity: 5), metadata: app.meta("U2"))
        let now = app.clock.now()
        _ = try await app.processor.placeOrder(OrderPlacement.Command(orderId: "O-cart", userId: "U2", lines: nil, address: try await app.address(for: "U2"),
                                                                      note: nil, now: now, payBy: now.adding(seconds: 1800)), metadata: app.meta("U2"))
        let reserved = try ["S1", "S10", "S2"].map { try app.sku($0).reserved }
        #expect(reserved == [6, 3, 6])
        for skuId in ["S1", "S10", "S2"] { #expect(try app.sku(skuId).ledgerBalances) }
    }

    /// Carts are not bounded, orders are: checking out a cart of more lines than an order may
    /// have is refused for its length (before the writer reads the skus), and nothing is placed.
    @Test func aCartLongerThanAnOrderMayBeIsRefusedAtCheckout() async throws {
        let app = try await Harness()
        defer { app.close() }
        for n in 0...OrderPlacement.maxLines {
            _ = try await app.seedProduct("P\(n)", skuId: "S\(n)")
            _ = try await app.processor.changeCart(userId: "U1", .add(skuId: "S\(n)", quantity: 1), metadata: app.meta("U1"))
        }
        let now = app.clock.now()
        let command = OrderPlacement.Command(orderId: "O-long", userId: "U1", lines: nil, address: try await app.address(for: "U1"), note: nil, now: now,
                                             payBy: now.adding(seconds: 1800))
        await #expect(throws: Rejection.validationFailed([FieldError("items", "an order has 1–\(OrderPlacement.maxLines) lines")])) {
            try await app.processor.placeOrder(command, metadata: app.meta("U1"))
        }
        #expect(try app.store.version(of: StreamId.order("O-long")) == nil)
    }

    @Test func anIdempotentRetryDoesNotPlaceASecondOrder() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)
        let claim = IdempotencyClaim(key: "U1:checkout-1", fingerprint: [1, 2, 3])
        try await app.ensureKey("U1")
        let now = app.clock.now()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    let command = OrderPlacement.Command(orderId: app.processor.ids.next(), userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)],
                                                         address: try await app.address(for: "U1"), note: nil, now: now, payBy: now.adding(seconds: 1800))
                    let submission = try await app.processor.placeOrder(command, metadata: app.meta("U1"), idempotency: claim, remember: { snapshot, _ in
                        Array(snapshot.order.orderId.utf8)
                    })
                    if case .completed = submission { return true }
                    return false
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try app.sku("S1").reserved == 1)
    }
}
