import Domain
import EventStore

/// A product with the states of its skus, as the admin API answers.
public struct ProductSnapshot: Sendable, Codable {
    public let product: Product.State
    public let skus: [Sku.State]
    public let version: UInt64
}

/// A sku with its stream version (for `ETag`).
public struct SkuSnapshot: Sendable, Codable {
    public let sku: Sku.State
    public let version: UInt64
}

extension CommandProcessor {
    public func createProduct(_ command: Product.Create, metadata: CommandMetadata, idempotency: IdempotencyClaim? = nil,
                              remember: (@Sendable (ProductSnapshot, UInt64) -> [UInt8])? = nil) async throws -> Submission<ProductSnapshot> {
        try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let productStream = StreamId.product(command.productId)
            let product = try session.load(Product.self, productStream)
            var existing: [String] = []
            for definition in command.skus where try session.load(Sku.self, StreamId.sku(definition.skuId)).state.exists {
                existing.append(definition.skuId)
            }
            let decided = try Product.decideCreate(command, product.state, existingSkuIds: existing)
            try session.append(Product.self, productStream, decided.product)
            for (skuId, events) in decided.skus { try session.append(Sku.self, StreamId.sku(skuId), events) }
            let snapshot = try session.productSnapshot(command.productId)
            return session.decision { snapshot }
        }
    }

    public func addSku(productId: String, definition: Sku.Definition, metadata: CommandMetadata) async throws -> Submission<ProductSnapshot> {
        try await execute(metadata) { session in
            let stream = StreamId.product(productId)
            let product = try session.load(Product.self, stream)
            guard product.state.exists else { throw Rejection.notFound(resource: "product", id: productId) }
            let skuExists = try session.load(Sku.self, StreamId.sku(definition.skuId)).state.exists
            let decided = try Product.decideAddSku(definition, product.state, skuExists: skuExists)
            try session.append(Product.self, stream, decided.product)
            try session.append(Sku.self, StreamId.sku(definition.skuId), decided.sku)
            let snapshot = try session.productSnapshot(productId)
            return session.decision { snapshot }
        }
    }

    public func updateProduct(productId: String, changes: Product.Changes, metadata: CommandMetadata) async throws -> Submission<ProductSnapshot> {
        try await execute(metadata) { session in
            let stream = StreamId.product(productId)
            let product = try session.load(Product.self, stream)
            guard product.state.exists else { throw Rejection.notFound(resource: "product", id: productId) }
            try session.append(Product.self, stream, try Product.decideUpdate(changes, product.state))
            session.addressedStream = stream
            let snapshot = try session.productSnapshot(productId)
            return session.decision { snapshot }
        }
    }

    public func setListed(productId: String, listed: Bool, metadata: CommandMetadata) async throws -> Submission<ProductSnapshot> {
        let now = clock.now()
        return try await execute(metadata) { session in
            let stream = StreamId.product(productId)
            let product = try session.load(Product.self, stream)
            guard product.state.exists else { throw Rejection.notFound(resource: "product", id: productId) }
            try session.append(Product.self, stream, try Product.decideListing(listed: listed, now: now, product.state))
            session.addressedStream = stream
            let snapshot = try session.productSnapshot(productId)
            return session.decision { snapshot }
        }
    }

    public enum SkuChange: Sendable {
        case price(Int64)
        case limit(Int?)
        case restock(Int64)
        case adjust(delta: Int64, reason: String)
    }

    /// Price, limit and stock changes on one sku; `ifMatch` checks its version first.
    public func changeSku(skuId: String, _ change: SkuChange, ifMatch: UInt64? = nil, metadata: CommandMetadata,
                          idempotency: IdempotencyClaim? = nil, remember: (@Sendable (SkuSnapshot, UInt64) -> [UInt8])? = nil) async throws -> Submission<SkuSnapshot> {
        try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let stream = StreamId.sku(skuId)
            let sku = try session.load(Sku.self, stream)
            guard sku.state.exists else { throw Rejection.notFound(resource: "sku", id: skuId) }
            try checkVersion(ifMatch, sku.version)
            let events: [Sku.Event]
            switch change {
            case .price(let cents): events = try Sku.decidePrice(cents, sku.state)
            case .limit(let limit): events = try Sku.decideLimit(limit, sku.state)
            case .restock(let quantity): events = try Sku.decideRestock(quantity, sku.state)
            case .adjust(let delta, let reason): events = try Sku.decideAdjust(delta: delta, reason: reason, sku.state)
            }
            try session.append(Sku.self, stream, events)
            session.addressedStream = stream
            let after = try session.load(Sku.self, stream)
            return session.decision { SkuSnapshot(sku: after.state, version: after.version) }
        }
    }
}

extension WriterSession {
    /// The product and its skus as staged.
    func productSnapshot(_ productId: String) throws -> ProductSnapshot {
        let product = try load(Product.self, StreamId.product(productId))
        let skus = try product.state.skuIds.map { try load(Sku.self, StreamId.sku($0)).state }
        return ProductSnapshot(product: product.state, skus: skus, version: product.version)
    }
}
