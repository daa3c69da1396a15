import Domain

/// The inverted index behind `q`: every product's title, description, category and tags as
/// tokens (`Tokenizer`), listed or not (queries filter by listing and category through the
/// catalog's attributes).
///
/// - `postings`: token ‖ 0x00 ‖ productId → flags (bit 0: the token is in the title)
/// - `tokens`: productId → the product's postings, to remove them when it changes
public struct SearchProjection: Projection {
    public let name = "search"
    public let databases = ["postings", "tokens"]

    public init() {}

    struct Indexed: Codable {
        var title: String
        var description: String
        var category: String
        var tags: [String]
        /// token → flags, as written to `postings`.
        var tokens: [String: UInt8]
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        guard case .product(let event) = projected.event else { return }
        let productId = projected.entityId
        var indexed: Indexed
        switch event {
        case .created(let e):
            indexed = Indexed(title: e.title, description: e.description, category: e.category, tags: e.tags, tokens: [:])
        case .updated(let e):
            guard let existing = try context.document(Indexed.self, "tokens", productId) else { return }
            indexed = existing
            if let v = e.title { indexed.title = v }
            if let v = e.description { indexed.description = v }
            if let v = e.category { indexed.category = v }
            if let v = e.tags { indexed.tags = v }
        default:
            return
        }
        let previous = try context.document(Indexed.self, "tokens", productId)?.tokens ?? [:]
        var tokens: [String: UInt8] = [:]
        for token in Tokenizer.indexTokens(indexed.title) { tokens[token, default: 0] |= 1 }
        for text in [indexed.description, indexed.category] + indexed.tags {
            for token in Tokenizer.indexTokens(text) where tokens[token] == nil { tokens[token] = 0 }
        }
        for (token, _) in previous where tokens[token] == nil {
            try context.delete("postings", Self.postingKey(token, productId))
        }
        for (token, flags) in tokens where previous[token] != flags {
            try context.put("postings", Self.postingKey(token, productId), [flags])
        }
        indexed.tokens = tokens
        try context.setDocument(indexed, "tokens", productId)
    }

    static func postingKey(_ token: String, _ productId: String) -> [UInt8] {
        KeyEncoding.key(.string(token), .tail(productId))
    }
}
