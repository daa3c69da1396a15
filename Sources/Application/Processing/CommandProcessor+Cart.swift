import Domain
import EventStore

/// A cart with the current sku and product states of its lines (titles, prices, stock), as
/// the command side sees them right after the change.
public struct CartSnapshot: Sendable, Codable {
    public struct Line: Sendable, Codable {
        public let line: Cart.Line
        public let sku: Sku.State
        public let product: Product.State
    }

    public let lines: [Line]
    public let version: UInt64
}

extension CommandProcessor {
    public enum CartChange: Sendable {
        case add(skuId: String, quantity: Int)
        case set(skuId: String, quantity: Int)
        case remove(skuId: String)
    }

    public func changeCart(userId: String, _ change: CartChange, ifMatch: UInt64? = nil, metadata: CommandMetadata,
                           idempotency: IdempotencyClaim? = nil, remember: (@Sendable (CartSnapshot, UInt64) -> [UInt8])? = nil) async throws -> Submission<CartSnapshot> {
        try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let stream = StreamId.cart(userId)
            let cart = try session.load(Cart.self, stream)
            let events: [Cart.Event]
            switch change {
            case .add(let skuId, let quantity):
                let exists = try session.load(Sku.self, StreamId.sku(skuId)).state.exists
                if !exists { throw Rejection.notFound(resource: "sku", id: skuId) }
                try checkVersion(ifMatch, cart.version)
                events = try Cart.decideAdd(skuId: skuId, quantity: quantity, skuExists: exists, cart.state)
            case .set(let skuId, let quantity):
                let exists = try session.load(Sku.self, StreamId.sku(skuId)).state.exists
                if !exists || cart.state.quantity(of: skuId) == nil { throw Rejection.notFound(resource: exists ? "cart line" : "sku", id: skuId) }
                try checkVersion(ifMatch, cart.version)
                events = try Cart.decideSet(skuId: skuId, quantity: quantity, skuExists: exists, cart.state)
            case .remove(let skuId):
                if cart.state.quantity(of: skuId) == nil { throw Rejection.notFound(resource: "cart line", id: skuId) }
                try checkVersion(ifMatch, cart.version)
                events = try Cart.decideRemove(skuId: skuId, cart.state)
            }
            try session.append(Cart.self, stream, events)
            session.addressedStream = stream
            let snapshot = try session.cartSnapshot(userId)
            return session.decision { snapshot }
        }
    }
}

extension WriterSession {
    func cartSnapshot(_ userId: String) throws -> CartSnapshot {
        let cart = try load(Cart.self, StreamId.cart(userId))
        var lines: [CartSnapshot.Line] = []
        for line in cart.state.lines {
            let sku = try load(Sku.self, StreamId.sku(line.skuId)).state
            let product = try load(Product.self, StreamId.product(sku.productId)).state
            lines.append(CartSnapshot.Line(line: line, sku: sku, product: product))
        }
        return CartSnapshot(lines: lines, version: cart.version)
    }
}
