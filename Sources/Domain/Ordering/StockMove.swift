/// A stock event an order decision causes on one sku's stream.
public struct StockMove: Sendable, Equatable {
    public let skuId: String
    public let event: Sku.Event

    public init(skuId: String, event: Sku.Event) {
        self.skuId = skuId
        self.event = event
    }
}

/// What an order decision appends: to the order's stream and to the skus' streams.
public struct OrderDecision: Sendable, Equatable {
    public var order: [Order.Event]
    public var stock: [StockMove]

    public init(order: [Order.Event] = [], stock: [StockMove] = []) {
        self.order = order
        self.stock = stock
    }

    public var isEmpty: Bool { order.isEmpty && stock.isEmpty }
}
