/// A product of the catalog: its texts, category and listing; its skus live in their own
/// streams (`Sku`). Stream `product-<productId>`.
public enum Product: Decider {
    // MARK: Events

    public struct Created: EventPayload, Equatable {
        public static let typeName = "ProductCreated"
        public let productId: String
        public let title: String
        public let description: String
        public let category: String
        public let tags: [String]
        public let imageUrls: [String]
        public let skuIds: [String]
        public let createdAt: Timestamp
    }

    public struct SkuAdded: EventPayload, Equatable {
        public static let typeName = "ProductSkuAdded"
        public let skuId: String
    }

    /// Only the fields that changed are present.
    public struct Updated: EventPayload, Equatable {
        public static let typeName = "ProductUpdated"
        public let title: String?
        public let description: String?
        public let category: String?
        public let tags: [String]?
        public let imageUrls: [String]?
    }

    public struct Unlisted: EventPayload, Equatable {
        public static let typeName = "ProductUnlisted"
        public let at: Timestamp
    }

    public struct Listed: EventPayload, Equatable {
        public static let typeName = "ProductListed"
        public let at: Timestamp
    }

    public enum Event: Sendable, Equatable {
        case created(Created)
        case skuAdded(SkuAdded)
        case updated(Updated)
        case unlisted(Unlisted)
        case listed(Listed)
    }

    // MARK: State

    public struct State: Sendable, Equatable, Codable {
        public var exists = false
        public var productId = ""
        public var title = ""
        public var description = ""
        public var category = ""
        public var tags: [String] = []
        public var imageUrls: [String] = []
        public var skuIds: [String] = []
        public var listed = false
        public var createdAt = Timestamp(millis: 0)

        public init() {}
    }

    public static let initialState = State()
    public static let maxSkus = 50

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .created(let e):
            s.exists = true
            s.productId = e.productId
            s.title = e.title
            s.description = e.description
            s.category = e.category
            s.tags = e.tags
            s.imageUrls = e.imageUrls
            s.skuIds = e.skuIds
            s.listed = true
            s.createdAt = e.createdAt
        case .skuAdded(let e):
            s.skuIds.append(e.skuId)
        case .updated(let e):
            if let v = e.title { s.title = v }
            if let v = e.description { s.description = v }
            if let v = e.category { s.category = v }
            if let v = e.tags { s.tags = v }
            if let v = e.imageUrls { s.imageUrls = v }
        case .unlisted:
            s.listed = false
        case .listed:
            s.listed = true
        }
    }

    // MARK: Commands

    public struct Create: Sendable {
        public let productId: String
        public let title: String
        public let description: String
        public let category: String
        public let tags: [String]
        public let imageUrls: [String]
        public let skus: [Sku.Definition]
        public let now: Timestamp

        public init(productId: String, title: String, description: String, category: String, tags: [String], imageUrls: [String],
                    skus: [Sku.Definition], now: Timestamp) {
            self.productId = productId
            self.title = title
            self.description = description
            self.category = category
            self.tags = tags
            self.imageUrls = imageUrls
            self.skus = skus
            self.now = now
        }
    }

    public struct Changes: Sendable, Equatable {
        public var title: String?
        public var description: String?
        public var category: String?
        public var tags: [String]?
        public var imageUrls: [String]?

        public init(title: String? = nil, description: String? = nil, category: String? = nil, tags: [String]? = nil, imageUrls: [String]? = nil) {
            self.title = title
            self.description = description
            self.category = category
            self.tags = tags
            self.imageUrls = imageUrls
        }
    }

    /// Creating a product creates its skus too: the product stream and every sku stream must
    /// be new (`existingSkuIds` are the requested skus whose streams already exist).
    public static func decideCreate(_ command: Create, _ state: State, existingSkuIds: [String]) throws(Rejection) -> (product: [Event], skus: [(String, [Sku.Event])]) {
        guard !state.exists else { throw .alreadyExists(what: "product", id: command.productId) }
        if let taken = existingSkuIds.first { throw .alreadyExists(what: "sku", id: taken) }
        let created = Created(productId: command.productId, title: command.title, description: command.description, category: command.category,
                              tags: command.tags, imageUrls: command.imageUrls, skuIds: command.skus.map(\.skuId), createdAt: command.now)
        let skus = command.skus.map { definition in
            (definition.skuId, [Sku.Event.created(Sku.Created(definition: definition, productId: command.productId))])
        }
        return ([.created(created)], skus)
    }

    public static func decideAddSku(_ definition: Sku.Definition, _ state: State, skuExists: Bool) throws(Rejection) -> (product: [Event], sku: [Sku.Event]) {
        guard state.exists else { throw .notFound(resource: "product", id: state.productId) }
        guard !skuExists else { throw .alreadyExists(what: "sku", id: definition.skuId) }
        guard state.skuIds.count < maxSkus else {
            throw .validationFailed([FieldError("skuId", "a product has at most \(maxSkus) skus")])
        }
        return ([.skuAdded(SkuAdded(skuId: definition.skuId))], [.created(Sku.Created(definition: definition, productId: state.productId))])
    }

    /// `[]` when nothing would change, so a repeated edit is safe.
    public static func decideUpdate(_ changes: Changes, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "product", id: state.productId) }
        let updated = Updated(
            title: changes.title.flatMap { $0 == state.title ? nil : $0 },
            description: changes.description.flatMap { $0 == state.description ? nil : $0 },
            category: changes.category.flatMap { $0 == state.category ? nil : $0 },
            tags: changes.tags.flatMap { $0 == state.tags ? nil : $0 },
            imageUrls: changes.imageUrls.flatMap { $0 == state.imageUrls ? nil : $0 })
        if updated.title == nil && updated.description == nil && updated.category == nil && updated.tags == nil && updated.imageUrls == nil {
            return []
        }
        return [.updated(updated)]
    }

    public static func decideListing(listed: Bool, now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.exists else { throw .notFound(resource: "product", id: state.productId) }
        guard state.listed != listed else { return [] }
        return listed ? [.listed(Listed(at: now))] : [.unlisted(Unlisted(at: now))]
    }
}
