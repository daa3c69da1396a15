/// One sellable variant: its price, per-user limit and stock ledger. Stream `sku-<skuId>`.
///
/// The ledger always balances: `restocked + adjusted = available + reserved + sold`, and
/// `available` never goes below zero — every decision that takes stock checks it first.
public enum Sku: Decider {
    // MARK: Events

    public struct Definition: Sendable, Equatable, Codable {
        public let skuId: String
        public let specs: [SpecEntry]
        public let priceCents: Int64
        public let limitPerUser: Int?

        public init(skuId: String, specs: [SpecEntry], priceCents: Int64, limitPerUser: Int?) {
            self.skuId = skuId
            self.specs = specs
            self.priceCents = priceCents
            self.limitPerUser = limitPerUser
        }
    }

    public struct Created: EventPayload, Equatable {
        public static let typeName = "SkuCreated"
        public let skuId: String
        public let productId: String
        public let specs: [SpecEntry]
        public let priceCents: Int64
        public let limitPerUser: Int?

        public init(definition: Definition, productId: String) {
            skuId = definition.skuId
            self.productId = productId
            specs = definition.specs
            priceCents = definition.priceCents
            limitPerUser = definition.limitPerUser
        }
    }

    public struct PriceChanged: EventPayload, Equatable {
        public static let typeName = "SkuPriceChanged"
        public let priceCents: Int64
    }

    public struct LimitChanged: EventPayload, Equatable {
        public static let typeName = "SkuLimitChanged"
        public let limitPerUser: Int?
    }

    public struct Restocked: EventPayload, Equatable {
        public static let typeName = "StockRestocked"
        public let quantity: Int64
    }

    public struct Adjusted: EventPayload, Equatable {
        public static let typeName = "StockAdjusted"
        public let delta: Int64
        public let reason: String
    }

    public struct Reserved: EventPayload, Equatable {
        public static let typeName = "StockReserved"
        public let orderId: String
        public let quantity: Int64
    }

    public struct Released: EventPayload, Equatable {
        public static let typeName = "StockReleased"
        public let orderId: String
        public let quantity: Int64
        public let reason: String
    }

    public struct Sold: EventPayload, Equatable {
        public static let typeName = "StockSold"
        public let orderId: String
        public let quantity: Int64
    }

    public struct Returned: EventPayload, Equatable {
        public static let typeName = "StockReturned"
        public let orderId: String
        public let quantity: Int64
    }

    public enum Event: Sendable, Equatable {
        case created(Created)
        case priceChanged(PriceChanged)
        case limitChanged(LimitChanged)
        case restocked(Restocked)
        case adjusted(Adjusted)
        case reserved(Reserved)
        case released(Released)
        case sold(Sold)
        case returned(Returned)
    }

    // MARK: State

    public struct State: Sendable, Equatable, Codable {
        public var exists = false
        public var skuId = ""
        public var productId = ""
        public var specs: [SpecEntry] = []
        public var priceCents: Int64 = 0
        public var limitPerUser: Int?
        public var available: Int64 = 0
        public var reserved: Int64 = 0
        public var sold: Int64 = 0
        public var restocked: Int64 = 0
        public var adjusted: Int64 = 0

        public init() {}

        /// `restocked + adjusted = available + reserved + sold`
        public var ledgerBalances: Bool { restocked + adjusted == available + reserved + sold }
    }

    public static let initialState = State()
    public static let maxRestock: Int64 = 1_000_000

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .created(let e):
            s.exists = true
            s.skuId = e.skuId
            s.productId = e.productId
            s.specs = e.specs
            s.priceCents = e.priceCents
            s.limitPerUser = e.limitPerUser
        case .priceChanged(let e): s.priceCents = e.priceCents
        case .limitChanged(let e): s.limitPerUser = e.limitPerUser
        case .restocked(let e): s.restocked += e.quantity
        case .adjusted(let e): s.adjusted += e.delta
        case .reserved, .released, .sold, .returned: break
        }
        moveUnits(event, available: &s.available, reserved: &s.reserved, sold: &s.sold)
    }

    /// The stock ledger's one rule: how an event moves units between available, reserved and
    /// sold. The decider's state and the sku read model both follow it, so they cannot drift.
    public static func moveUnits(_ event: Event, available: inout Int64, reserved: inout Int64, sold: inout Int64) {
        switch event {
        case .created, .priceChanged, .limitChanged: break
        case .restocked(let e): available += e.quantity
        case .adjusted(let e): available += e.delta
        case .reserved(let e):
            available -= e.quantity
            reserved += e.quantity
        case .released(let e):
            reserved -= e.quantity
            available += e.quantity
        case .sold(let e):
            reserved -= e.quantity
            sold += e.quantity
        case .returned(let e):
            sold -= e.quantity
            available += e.quantity
        }
    }

    // MARK: Decisions (admin)

    public static func decidePrice(_ priceCents: Int64, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "sku", id: state.skuId) }
        return priceCents == state.priceCents ? [] : [.priceChanged(PriceChanged(priceCents: priceCents))]
    }

    public static func decideLimit(_ limitPerUser: Int?, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "sku", id: state.skuId) }
        return limitPerUser == state.limitPerUser ? [] : [.limitChanged(LimitChanged(limitPerUser: limitPerUser))]
    }

    public static func decideRestock(_ quantity: Int64, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "sku", id: state.skuId) }
        return [.restocked(Restocked(quantity: quantity))]
    }

    /// A stock-take correction; may not take `available` below zero.
    public static func decideAdjust(delta: Int64, reason: String, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "sku", id: state.skuId) }
        guard state.available + delta >= 0 else {
            throw .outOfStock(skuIds: [state.skuId], detail: "sku \(state.skuId) has \(state.available) available, adjustment \(delta)")
        }
        return [.adjusted(Adjusted(delta: delta, reason: reason))]
    }

    // MARK: Decisions (orders)

    public static func decideReserve(orderId: String, quantity: Int64, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "sku", id: state.skuId) }
        guard state.available >= quantity else {
            throw .outOfStock(skuIds: [state.skuId], detail: "sku \(state.skuId) has \(state.available) available, \(quantity) requested")
        }
        return [.reserved(Reserved(orderId: orderId, quantity: quantity))]
    }

    public static func release(orderId: String, quantity: Int64, reason: String) -> Event {
        .released(Released(orderId: orderId, quantity: quantity, reason: reason))
    }

    public static func sell(orderId: String, quantity: Int64) -> Event {
        .sold(Sold(orderId: orderId, quantity: quantity))
    }

    public static func giveBack(orderId: String, quantity: Int64) -> Event {
        .returned(Returned(orderId: orderId, quantity: quantity))
    }
}
