@testable import Domain

let t0 = Timestamp(millis: 1_795_593_600_000)  // 2026-11-25T08:00:00Z

func sealed(_ text: String) -> Sealed { Sealed(keyId: "u/1", nonce: "n", ciphertext: text) }

let address = sealed(#"{"city":"北京","line1":"长安街1号","name":"张三","phone":"13800000000"}"#)

/// Folds events into a state, as the processor does.
func fold<S, E>(_ initial: S, _ events: [E], _ evolve: (S, E) -> S) -> S {
    events.reduce(initial, evolve)
}

func product(_ id: String = "P1", title: String = "华为智能手机 Pro", listed: Bool = true, skuIds: [String] = ["S1"]) -> Product.State {
    var events: [Product.Event] = [.created(Product.Created(productId: id, title: title, description: "", category: "手机", tags: [], imageUrls: [],
                                                            skuIds: skuIds, createdAt: t0))]
    if !listed { events.append(.unlisted(Product.Unlisted(at: t0))) }
    return fold(Product.initialState, events, Product.evolve)
}

func sku(_ id: String = "S1", product: String = "P1", price: Int64 = 100, stock: Int64 = 10, limit: Int? = nil) -> Sku.State {
    var events: [Sku.Event] = [.created(Sku.Created(definition: Sku.Definition(skuId: id, specs: [SpecEntry(name: "颜色", value: "黑")], priceCents: price,
                                                                             limitPerUser: limit), productId: product))]
    if stock > 0 { events.append(.restocked(Sku.Restocked(quantity: stock))) }
    return fold(Sku.initialState, events, Sku.evolve)
}

func placeCommand(_ lines: [RequestedLine]?, orderId: String = "O1", userId: String = "U1") -> OrderPlacement.Command {
    OrderPlacement.Command(orderId: orderId, userId: userId, lines: lines, address: address, note: nil, now: t0, payBy: t0.adding(seconds: 1800))
}

func placedOrder(lines: [RequestedLine] = [RequestedLine(skuId: "S1", quantity: 2)], skus: [String: Sku.State]? = nil) throws -> Order.State {
    let skuStates = skus ?? ["S1": sku()]
    let products = ["P1": product()]
    let outcome = try OrderPlacement.decide(placeCommand(lines), OrderPlacement.Context(skus: skuStates, products: products, purchases: [:], cart: Cart.State()))
    return fold(Order.initialState, outcome.order, Order.evolve)
}

extension Order.State {
    func applying(_ events: [Order.Event]) -> Order.State { fold(self, events, Order.evolve) }
}
