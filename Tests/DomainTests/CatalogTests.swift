import Testing
@testable import Domain

@Suite struct ProductDeciderTests {
    let create = Product.Create(productId: "P1", title: "手机", description: "d", category: "手机", tags: ["5G"], imageUrls: [],
                                skus: [Sku.Definition(skuId: "S1", specs: [], priceCents: 100, limitPerUser: nil),
                                       Sku.Definition(skuId: "S2", specs: [], priceCents: 200, limitPerUser: 2)], now: t0)

    @Test func creatingAProductCreatesItsSkus() throws {
        let decided = try Product.decideCreate(create, Product.initialState, existingSkuIds: [])
        guard case .created(let created) = decided.product.first else {
            Issue.record("expected ProductCreated")
            return
        }
        #expect(created.skuIds == ["S1", "S2"])
        #expect(decided.skus.map(\.0) == ["S1", "S2"])
        let state = fold(Product.initialState, decided.product, Product.evolve)
        #expect(state.listed)
    }

    @Test func productIdsAndSkuIdsAreUnique() {
        let existing = product()
        #expect(throws: Rejection.alreadyExists(what: "product", id: "P1")) { try Product.decideCreate(create, existing, existingSkuIds: []) }
        #expect(throws: Rejection.alreadyExists(what: "sku", id: "S2")) { try Product.decideCreate(create, Product.initialState, existingSkuIds: ["S2"]) }
        #expect(throws: Rejection.alreadyExists(what: "sku", id: "S1")) {
            try Product.decideAddSku(Sku.Definition(skuId: "S1", specs: [], priceCents: 1, limitPerUser: nil), existing, skuExists: true)
        }
    }

    @Test func aProductHoldsAtMostFiftySkus() {
        let full = product(skuIds: (1...50).map { "S\($0)" })
        #expect(throws: Rejection.self) {
            try Product.decideAddSku(Sku.Definition(skuId: "S51", specs: [], priceCents: 1, limitPerUser: nil), full, skuExists: false)
        }
    }

    @Test func unchangedEditsAndRepeatedListingsDoNothing() throws {
        let state = product()
        #expect(try Product.decideUpdate(Product.Changes(title: "华为智能手机 Pro"), state).isEmpty)
        #expect(try Product.decideUpdate(Product.Changes(title: "新"), state).count == 1)
        #expect(try Product.decideListing(listed: true, now: t0, state).isEmpty)
        let unlisted = fold(state, try Product.decideListing(listed: false, now: t0, state), Product.evolve)
        #expect(!unlisted.listed)
        #expect(throws: Rejection.notFound(resource: "product", id: "")) { try Product.decideUpdate(Product.Changes(title: "x"), Product.initialState) }
    }
}

@Suite struct SkuDeciderTests {
    @Test func restockAndAdjustKeepTheLedger() throws {
        var state = sku(stock: 5)
        state = fold(state, try Sku.decideRestock(7, state), Sku.evolve)
        state = fold(state, try Sku.decideAdjust(delta: -3, reason: "stock-take", state), Sku.evolve)
        #expect(state.available == 9)
        #expect(state.ledgerBalances)
    }

    @Test func anAdjustmentMayNotTakeAvailableBelowZero() {
        let state = sku(stock: 2)
        #expect(throws: Rejection.outOfStock(skuIds: ["S1"], detail: "sku S1 has 2 available, adjustment -3")) {
            try Sku.decideAdjust(delta: -3, reason: "lost", state)
        }
    }

    @Test func reservingMoreThanAvailableIsOutOfStock() throws {
        let state = sku(stock: 1)
        #expect(throws: Rejection.self) { try Sku.decideReserve(orderId: "O1", quantity: 2, state) }
        let reserved = fold(state, try Sku.decideReserve(orderId: "O1", quantity: 1, state), Sku.evolve)
        #expect(reserved.available == 0 && reserved.reserved == 1 && reserved.ledgerBalances)
    }

    @Test func priceAndLimitChangesAreIdempotent() throws {
        let state = sku(price: 100, limit: nil)
        #expect(try Sku.decidePrice(100, state).isEmpty)
        #expect(try Sku.decidePrice(120, state) == [.priceChanged(Sku.PriceChanged(priceCents: 120))])
        #expect(try Sku.decideLimit(nil, state).isEmpty)
        #expect(try Sku.decideLimit(3, state) == [.limitChanged(Sku.LimitChanged(limitPerUser: 3))])
        #expect(throws: Rejection.notFound(resource: "sku", id: "")) { try Sku.decideRestock(1, Sku.initialState) }
    }
}

@Suite struct CartDeciderTests {
    @Test func addingAccumulatesUpTo99() throws {
        var cart = Cart.initialState
        cart = fold(cart, try Cart.decideAdd(skuId: "S1", quantity: 60, skuExists: true, cart), Cart.evolve)
        cart = fold(cart, try Cart.decideAdd(skuId: "S1", quantity: 39, skuExists: true, cart), Cart.evolve)
        #expect(cart.quantity(of: "S1") == 99)
        #expect(throws: Rejection.self) { try Cart.decideAdd(skuId: "S1", quantity: 1, skuExists: true, cart) }
    }

    @Test func unknownSkusAndMissingLinesAreNotFound() throws {
        let cart = Cart.initialState
        #expect(throws: Rejection.notFound(resource: "sku", id: "X")) { try Cart.decideAdd(skuId: "X", quantity: 1, skuExists: false, cart) }
        #expect(throws: Rejection.notFound(resource: "cart line", id: "S1")) { try Cart.decideSet(skuId: "S1", quantity: 2, skuExists: true, cart) }
        #expect(throws: Rejection.notFound(resource: "cart line", id: "S1")) { try Cart.decideRemove(skuId: "S1", cart) }
    }

    @Test func settingZeroRemovesAndSettingTheSameDoesNothing() throws {
        var cart = fold(Cart.initialState, try Cart.decideAdd(skuId: "S1", quantity: 2, skuExists: true, Cart.initialState), Cart.evolve)
        #expect(try Cart.decideSet(skuId: "S1", quantity: 2, skuExists: true, cart).isEmpty)
        cart = fold(cart, try Cart.decideSet(skuId: "S1", quantity: 0, skuExists: true, cart), Cart.evolve)
        #expect(cart.lines.isEmpty)
    }
}
