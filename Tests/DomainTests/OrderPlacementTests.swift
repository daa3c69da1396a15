import Testing
@testable import Domain

@Suite struct OrderPlacementTests {
    func context(skus: [Sku.State] = [sku()], products: [Product.State] = [product()], purchases: [String: Int] = [:],
                 cart: Cart.State = Cart.State()) -> OrderPlacement.Context {
        OrderPlacement.Context(skus: Dictionary(uniqueKeysWithValues: skus.map { ($0.skuId, $0) }),
                               products: Dictionary(uniqueKeysWithValues: products.map { ($0.productId, $0) }), purchases: purchases, cart: cart)
    }

    @Test func reservesEveryLineWithPricesFrozen() throws {
        let skus = [sku("S1", price: 100, stock: 5), sku("S2", price: 250, stock: 5)]
        let outcome = try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 2), RequestedLine(skuId: "S2", quantity: 1)]),
                                                context(skus: skus, products: [product(skuIds: ["S1", "S2"])]))
        guard case .placed(let placed) = outcome.order.first else {
            Issue.record("expected OrderPlaced")
            return
        }
        #expect(placed.totalCents == 450)
        #expect(placed.lines.map(\.lineTotalCents) == [200, 250])
        #expect(placed.lines.first?.title == "华为智能手机 Pro")
        #expect(outcome.stock == [
            StockMove(skuId: "S1", event: .reserved(Sku.Reserved(orderId: "O1", quantity: 2))),
            StockMove(skuId: "S2", event: .reserved(Sku.Reserved(orderId: "O1", quantity: 1))),
        ])
        #expect(outcome.cart.isEmpty)
    }

    @Test func checkingOutTheCartEmptiesIt() throws {
        var cart = Cart.State()
        cart = Cart.evolve(cart, .itemAdded(Cart.ItemAdded(skuId: "S1", quantity: 3)))
        let outcome = try OrderPlacement.decide(placeCommand(nil), context(cart: cart))
        #expect(outcome.cart == [.checkedOut(Cart.CheckedOut(orderId: "O1"))])
        #expect(outcome.stock.count == 1)
        #expect(throws: Rejection.emptyCart) { try OrderPlacement.decide(placeCommand(nil), context()) }
    }

    @Test func anUnknownSkuIsNotFound() {
        #expect(throws: Rejection.notFound(resource: "sku", id: "NOPE")) {
            try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "NOPE", quantity: 1)]), context())
        }
    }

    @Test func duplicateSkusAndBadQuantitiesAreValidationErrors() {
        let twice = [RequestedLine(skuId: "S1", quantity: 1), RequestedLine(skuId: "S2", quantity: 1), RequestedLine(skuId: "S1", quantity: 1)]
        #expect(throws: Rejection.validationFailed([FieldError("items[2].skuId", "sku S1 appears twice")])) {
            try OrderPlacement.decide(placeCommand(twice), context())
        }
        // Past the most lines an order may have, every repeat is still named (found another way).
        let tooMany = (0...OrderPlacement.maxLines).map { RequestedLine(skuId: "S\($0 % 40)", quantity: 1) }
        let repeats = (40...OrderPlacement.maxLines).map { FieldError("items[\($0)].skuId", "sku S\($0 % 40) appears twice") }
        #expect(throws: Rejection.validationFailed([FieldError("items", "an order has 1–\(OrderPlacement.maxLines) lines")] + repeats)) {
            try OrderPlacement.decide(placeCommand(tooMany), context())
        }
        #expect(throws: Rejection.self) { try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 100)]), context()) }
        #expect(throws: Rejection.self) { try OrderPlacement.decide(placeCommand([]), context()) }
    }

    @Test func conflictsComeInTheirOrderAndNameEverySku() {
        let skus = [sku("S1", stock: 0, limit: 1), sku("S2", product: "P2", stock: 0), sku("S3", stock: 0)]
        let products = [product(skuIds: ["S1", "S3"]), product("P2", listed: false, skuIds: ["S2"])]
        let all = [RequestedLine(skuId: "S1", quantity: 2), RequestedLine(skuId: "S2", quantity: 1), RequestedLine(skuId: "S3", quantity: 1)]
        // Not orderable wins over limit and stock.
        #expect(throws: Rejection.notOrderable(skuIds: ["S2"])) { try OrderPlacement.decide(placeCommand(all), context(skus: skus, products: products)) }
        // Then the purchase limit.
        let listedOnly = [all[0], all[2]]
        #expect(throws: Rejection.purchaseLimitExceeded(skuIds: ["S1"], detail: "sku S1 allows 1 per customer, 0 already ordered, 2 requested")) {
            try OrderPlacement.decide(placeCommand(listedOnly), context(skus: skus, products: products))
        }
        // Then stock, naming every short sku.
        let withinLimit = [RequestedLine(skuId: "S1", quantity: 1), all[2]]
        #expect(throws: Rejection.outOfStock(skuIds: ["S1", "S3"], detail: "sku S1 has 0 available, 1 requested; sku S3 has 0 available, 1 requested")) {
            try OrderPlacement.decide(placeCommand(withinLimit), context(skus: skus, products: products))
        }
    }

    /// The context as the command processor builds it: every requested sku loaded, one that
    /// does not exist as an initial state under the id asked for, and a product only for a sku
    /// that exists — found by id, not by the states' own (empty) ids.
    @Test func aContextBuiltLineByLineFindsEachSkuByTheIdAskedFor() throws {
        var context = OrderPlacement.Context(cart: Cart.State())
        context.add(sku: Sku.initialState, as: "NOPE")
        context.add(sku: sku("S1", price: 100), as: "S1")
        context.add(product: product(), as: "P1")
        context.add(sku: sku("S4", product: "P4", price: 300), as: "S4")
        context.add(product: Product.initialState, as: "P4")
        #expect(context.hasSku("NOPE") && context.hasSku("S1") && !context.hasSku("S2"))
        #expect(context.hasProduct("P4") && !context.hasProduct(""))
        #expect(!context.limitsPurchases)
        #expect(throws: Rejection.notFound(resource: "sku", id: "NOPE")) {
            try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 1), RequestedLine(skuId: "NOPE", quantity: 1)]), context)
        }
        #expect(throws: Rejection.notOrderable(skuIds: ["S4"])) {
            try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S4", quantity: 1), RequestedLine(skuId: "S1", quantity: 1)]), context)
        }
        let outcome = try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 3)]), context)
        guard case .placed(let placed) = outcome.order.first else {
            Issue.record("expected OrderPlaced")
            return
        }
        #expect(placed.lines.map(\.skuId) == ["S1"] && placed.lines.first?.productId == "P1" && placed.totalCents == 300)
        context.add(sku: sku("S5", limit: 2), as: "S5")
        #expect(context.limitsPurchases)
    }

    @Test func earlierPurchasesCountAgainstTheLimit() throws {
        let limited = [sku("S1", stock: 10, limit: 3)]
        #expect(throws: Rejection.self) {
            try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 2)]), context(skus: limited, purchases: ["S1": 2]))
        }
        _ = try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 1)]), context(skus: limited, purchases: ["S1": 2]))
    }

    @Test func purchasesIgnoreCancelledAndRefundedOrders() throws {
        let live = try placedOrder()
        let cancelled = live.applying(try Order.decideCancel(reason: .customer, now: t0, live).order)
        #expect(Purchases.units(in: [live, cancelled]) == ["S1": 2])
    }

    @Test func anAbsurdTotalIsRefused() {
        let expensive = [sku("S1", price: OrderPlacement.maxSafeInteger, stock: 99)]
        #expect(throws: Rejection.self) {
            try OrderPlacement.decide(placeCommand([RequestedLine(skuId: "S1", quantity: 99)]), context(skus: expensive))
        }
    }
}
