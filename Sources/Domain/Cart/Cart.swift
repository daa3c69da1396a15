/// A customer's cart: lines of sku and quantity, in the order first added. Stream
/// `cart-<userId>`.
public enum Cart: Decider {
    public static let maxLineQuantity = 99

    // MARK: Events

    public struct ItemAdded: EventPayload, Equatable {
        public static let typeName = "CartItemAdded"
        public let skuId: String
        /// Units added to the line (not the line's new total).
        public let quantity: Int
    }

    public struct QuantitySet: EventPayload, Equatable {
        public static let typeName = "CartItemQuantitySet"
        public let skuId: String
        public let quantity: Int
    }

    public struct ItemRemoved: EventPayload, Equatable {
        public static let typeName = "CartItemRemoved"
        public let skuId: String
    }

    public struct CheckedOut: EventPayload, Equatable {
        public static let typeName = "CartCheckedOut"
        public let orderId: String
    }

    public enum Event: Sendable, Equatable {
        case itemAdded(ItemAdded)
        case quantitySet(QuantitySet)
        case itemRemoved(ItemRemoved)
        case checkedOut(CheckedOut)
    }

    // MARK: State

    public struct Line: Sendable, Equatable, Codable {
        public let skuId: String
        public var quantity: Int
    }

    public struct State: Sendable, Equatable, Codable {
        public var lines: [Line] = []

        public init() {}

        public func quantity(of skuId: String) -> Int? {
            lines.first { $0.skuId == skuId }?.quantity
        }
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .itemAdded(let e):
            if let index = s.lines.firstIndex(where: { $0.skuId == e.skuId }) {
                s.lines[index].quantity += e.quantity
            } else {
                s.lines.append(Line(skuId: e.skuId, quantity: e.quantity))
            }
        case .quantitySet(let e):
            if let index = s.lines.firstIndex(where: { $0.skuId == e.skuId }) {
                s.lines[index].quantity = e.quantity
            }
        case .itemRemoved(let e):
            s.lines.removeAll { $0.skuId == e.skuId }
        case .checkedOut:
            s.lines.removeAll()
        }
    }

    // MARK: Decisions

    /// Adds to the line; the sku must exist and the line stays ≤ 99.
    public static func decideAdd(skuId: String, quantity: Int, skuExists: Bool, _ state: State) throws(Rejection) -> [Event] {
        guard skuExists else { throw .notFound(resource: "sku", id: skuId) }
        let current = state.quantity(of: skuId) ?? 0
        guard current + quantity <= maxLineQuantity else {
            throw .validationFailed([FieldError("quantity", "the line would hold \(current + quantity); at most \(maxLineQuantity)")])
        }
        return [.itemAdded(ItemAdded(skuId: skuId, quantity: quantity))]
    }

    /// Sets an existing line; 0 removes it. A line not in the cart is not found.
    public static func decideSet(skuId: String, quantity: Int, skuExists: Bool, _ state: State) throws(Rejection) -> [Event] {
        guard skuExists else { throw .notFound(resource: "sku", id: skuId) }
        guard let current = state.quantity(of: skuId) else { throw .notFound(resource: "cart line", id: skuId) }
        if quantity == 0 { return [.itemRemoved(ItemRemoved(skuId: skuId))] }
        return quantity == current ? [] : [.quantitySet(QuantitySet(skuId: skuId, quantity: quantity))]
    }

    public static func decideRemove(skuId: String, _ state: State) throws(Rejection) -> [Event] {
        guard state.quantity(of: skuId) != nil else { throw .notFound(resource: "cart line", id: skuId) }
        return [.itemRemoved(ItemRemoved(skuId: skuId))]
    }

    public static func checkOut(orderId: String) -> Event {
        .checkedOut(CheckedOut(orderId: orderId))
    }
}
