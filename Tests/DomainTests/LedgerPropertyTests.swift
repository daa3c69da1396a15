import Testing
@testable import Domain

/// A seeded random walk of thousands of commands over a few skus and buyers, run through the
/// deciders exactly as the processor runs them. After every step: no sku below zero, every
/// ledger balances, and reservations match the orders still awaiting payment.
@Suite struct LedgerPropertyTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1, 2, 3])
    func theLedgerHoldsUnderRandomCommands(seed: UInt64) throws {
        var random = Generator(state: seed)
        let skuIds = ["S1", "S2", "S3"]
        var skus = Dictionary(uniqueKeysWithValues: skuIds.map { ($0, sku($0, stock: 5, limit: $0 == "S3" ? 4 : nil)) })
        let products = ["P1": product(skuIds: skuIds)]
        var orders: [String: Order.State] = [:]
        var now = t0
        var counts = (placed: 0, rejected: 0)

        func apply(_ moves: [StockMove]) {
            for move in moves { skus[move.skuId] = Sku.evolve(skus[move.skuId] ?? Sku.initialState, move.event) }
        }

        for step in 0..<3000 {
            now = now.adding(seconds: 7)
            let userId = "U\(Int.random(in: 1...4, using: &random))"
            let anyOrder = orders.keys.sorted().randomElement(using: &random)
            do {
                switch Int.random(in: 0..<10, using: &random) {
                case 0...3:
                    let lines = skuIds.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)).map {
                        RequestedLine(skuId: $0, quantity: Int.random(in: 1...3, using: &random))
                    }
                    let mine = orders.values.filter { $0.userId == userId }
                    let context = OrderPlacement.Context(skus: skus, products: products, purchases: Purchases.units(in: Array(mine)), cart: Cart.State())
                    let command = OrderPlacement.Command(orderId: "O\(step)", userId: userId, lines: Array(lines), address: address, note: nil, now: now,
                                                         payBy: now.adding(seconds: 60))
                    let outcome = try OrderPlacement.decide(command, context)
                    orders["O\(step)"] = fold(Order.initialState, outcome.order, Order.evolve)
                    apply(outcome.stock)
                    counts.placed += 1
                case 4:
                    guard let id = anyOrder, let order = orders[id] else { continue }
                    let decision = try Order.decideCancel(reason: .customer, now: now, order)
                    orders[id] = order.applying(decision.order)
                    apply(decision.stock)
                case 5:
                    guard let id = anyOrder, var order = orders[id] else { continue }
                    order = order.applying(try Order.decideRequestPayment(paymentId: "PAY-\(id)", nonceStr: "n", now: now, order))
                    let decision = try Order.decidePayment(paymentId: "PAY-\(id)", transactionId: "T", amountCents: order.totalCents, paidAt: "x", now: now, order)
                    orders[id] = order.applying(decision.order)
                    apply(decision.stock)
                case 6:
                    guard let id = anyOrder, let order = orders[id] else { continue }
                    let decision = try Order.decideCancel(reason: .paymentTimeout, now: now, order)
                    orders[id] = order.applying(decision.order)
                    apply(decision.stock)
                case 7:
                    guard let id = anyOrder, let order = orders[id] else { continue }
                    if order.status == .paid, Bool.random(using: &random) {
                        orders[id] = order.applying(try Order.decideShip(carrier: "SF", trackingNumber: "1", now: now, order))
                    } else {
                        orders[id] = order.applying(try Order.decideRefundRequest(reason: sealed("r"), now: now, order))
                    }
                case 8:
                    guard let id = anyOrder, let order = orders[id] else { continue }
                    let decision = try Order.decideRefund(approve: Bool.random(using: &random), now: now, order)
                    orders[id] = order.applying(decision.order)
                    apply(decision.stock)
                default:
                    let skuId = skuIds.randomElement(using: &random) ?? "S1"
                    let state = skus[skuId] ?? Sku.initialState
                    let events = Bool.random(using: &random)
                        ? try Sku.decideRestock(Int64.random(in: 1...4, using: &random), state)
                        : try Sku.decideAdjust(delta: -Int64.random(in: 1...3, using: &random), reason: "count", state)
                    skus[skuId] = events.reduce(state, Sku.evolve)
                }
            } catch {
                counts.rejected += 1
            }

            for (skuId, state) in skus {
                #expect(state.available >= 0, "step \(step): \(skuId) below zero")
                #expect(state.ledgerBalances, "step \(step): \(skuId) ledger off")
                let reservedByOrders = orders.values.filter { $0.status == .awaitingPayment }
                    .flatMap(\.lines).filter { $0.skuId == skuId }.reduce(Int64(0)) { $0 + Int64($1.quantity) }
                #expect(state.reserved == reservedByOrders, "step \(step): \(skuId) reservations do not match live orders")
            }
            for state in orders.values where state.userId.isEmpty { Issue.record("order without buyer") }
        }
        for userId in ["U1", "U2", "U3", "U4"] {
            let units = Purchases.units(in: orders.values.filter { $0.userId == userId })
            #expect((units["S3"] ?? 0) <= 4, "limit passed for \(userId)")
        }
        #expect(counts.placed > 100 && counts.rejected > 100)
    }
}
