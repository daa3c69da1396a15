import Foundation
import LMDB

/// The catalog's queries: product and sku detail, categories, and product lists with search,
/// filters, sorts and pages — all from the catalog and search read models in one snapshot.
public struct CatalogQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    public enum Sort: String, Sendable, CaseIterable {
        case relevance
        case priceAscending = "price_asc"
        case priceDescending = "price_desc"
        case sales
        case newest
    }

    public struct ListQuery: Sendable {
        public var q: String?
        public var category: String?
        public var sort: Sort?
        public var page = 1
        public var pageSize = 20
        /// Admin lists see unlisted products too, optionally filtered by `listed`.
        public var includeUnlisted = false
        public var listed: Bool?

        public init(q: String? = nil, category: String? = nil, sort: Sort? = nil, page: Int = 1, pageSize: Int = 20, includeUnlisted: Bool = false, listed: Bool? = nil) {
            self.q = q
            self.category = category
            self.sort = sort
            self.page = page
            self.pageSize = pageSize
            self.includeUnlisted = includeUnlisted
            self.listed = listed
        }
    }

    /// The stored answer of `GET /v1/products/{id}` (nil: unknown).
    public func product(_ productId: String) throws -> Positioned<[UInt8]?> {
        try readModels.read { txn in
            let handles = try readModels.handles("catalog")
            let bytes = try txn.getBytes(try handles.database("products"), Array(productId.utf8))
            return Positioned(value: bytes, position: try readModels.checkpoint("catalog", in: txn))
        }
    }

    public func productDocument(_ productId: String) throws -> Positioned<ProductDocument?> {
        let raw = try product(productId)
        return Positioned(value: try raw.value.map { try DocumentCodec.decode(ProductDocument.self, from: $0) }, position: raw.position)
    }

    /// The stored answer of `GET /v1/skus/{id}` (nil: unknown).
    public func sku(_ skuId: String) throws -> Positioned<[UInt8]?> {
        try readModels.read { txn in
            let handles = try readModels.handles("catalog")
            let bytes = try txn.getBytes(try handles.database("skus"), Array(skuId.utf8))
            return Positioned(value: bytes, position: try readModels.checkpoint("catalog", in: txn))
        }
    }

    public func skuDocument(_ skuId: String) throws -> Positioned<SkuDocument?> {
        let raw = try sku(skuId)
        return Positioned(value: try raw.value.map { try DocumentCodec.decode(SkuDocument.self, from: $0) }, position: raw.position)
    }

    /// Categories with their number of listed products, by name.
    public func categories() throws -> Positioned<[(category: String, productCount: Int)]> {
        try readModels.read { txn in
            let handles = try readModels.handles("catalog")
            let entries = try txn.page(try handles.database("categories"), prefix: [], offset: 0, limit: .max)
            let items = entries.map { (String(decoding: $0.key, as: UTF8.self), Int(String(decoding: $0.value, as: UTF8.self)) ?? 0) }
            return Positioned(value: items.filter { $0.1 > 0 }, position: try readModels.checkpoint("catalog", in: txn))
        }
    }

    /// A page of list items (`ProductListItem` JSON), or of whole product documents for admin.
    public func list(_ query: ListQuery) throws -> Page<[UInt8]> {
        try readModels.read { txn in
            let catalog = try readModels.handles("catalog")
            let position = try readModels.checkpoint("catalog", in: txn)
            let attributesDB = try catalog.database("attributes")
            let source = try catalog.database(query.includeUnlisted ? "products" : "items")
            let offset = (query.page - 1) * query.pageSize
            let terms = (query.q ?? "").split(whereSeparator: { $0.isWhitespace }).map { Tokenizer.queryTokens(String($0)) }.filter { !$0.isEmpty }

            // Product ids are read and looked up as bytes in the transaction's pages, never
            // copied out or made Strings: a broad query or a filtered walk touches thousands.
            func attributes(_ productId: UnsafeRawBufferPointer) throws -> ProductAttributes? {
                try txn.get(attributesDB, productId).map { try ProductAttributes.decodeStored($0, category: query.category != nil) }
            }
            func admits(_ a: ProductAttributes) -> Bool {
                if !query.includeUnlisted && !a.listed { return false }
                if let listed = query.listed, a.listed != listed { return false }
                if let category = query.category, a.category != category { return false }
                return true
            }
            func item(_ productId: UnsafeRawBufferPointer) throws -> [UInt8]? {
                try txn.get(source, productId).map { [UInt8]($0) }
            }

            if !terms.isEmpty {
                let search = try readModels.handles("search")
                let matches = try Self.search(terms, postings: try search.database("postings"), txn: txn)
                var candidates: [(id: UnsafeRawBufferPointer, titleScore: Int, attributes: ProductAttributes)] = []
                candidates.reserveCapacity(matches.count)
                for hit in matches {
                    if let a = try attributes(hit.id), admits(a) { candidates.append((hit.id, hit.score, a)) }
                }
                let sort = query.sort ?? .relevance
                candidates.sort { x, y in
                    switch sort {
                    case .relevance where x.titleScore != y.titleScore: return x.titleScore > y.titleScore
                    case .priceAscending where x.attributes.minPriceCents != y.attributes.minPriceCents:
                        return x.attributes.minPriceCents < y.attributes.minPriceCents
                    case .priceDescending where x.attributes.minPriceCents != y.attributes.minPriceCents:
                        return x.attributes.minPriceCents > y.attributes.minPriceCents
                    case .sales where x.attributes.sales != y.attributes.sales: return x.attributes.sales > y.attributes.sales
                    default:
                        if x.attributes.createdPosition != y.attributes.createdPosition { return x.attributes.createdPosition > y.attributes.createdPosition }
                        return Self.compare(x.id, y.id) < 0
                    }
                }
                let items = try candidates.dropFirst(offset).prefix(query.pageSize).compactMap { try item($0.id) }
                return Page(items: items, page: query.page, pageSize: query.pageSize, total: candidates.count, position: position)
            }

            // No search: walk the ordering that already has the requested sort.
            let index: String
            switch query.sort ?? .newest {
            case .priceAscending: index = "by-price"
            case .priceDescending: index = "by-price-desc"
            case .sales: index = "by-sales"
            case .newest, .relevance: index = query.includeUnlisted ? "newest" : "listed-newest"
            }
            // Admin lists (unlisted included) are always newest first; the other orderings hold
            // listed products only. Keys are a fixed-width prefix followed by the productId.
            let db = try catalog.database(query.includeUnlisted ? "newest" : index)
            let fixed = db.name.hasSuffix("newest") ? 8 : 16
            var items: [[UInt8]] = []
            var total = 0
            if query.category != nil || query.listed != nil {
                var ids: [UnsafeRawBufferPointer] = []
                try txn.withCursor(db) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        let id = UnsafeRawBufferPointer(rebasing: current.key[fixed...])
                        if let a = try attributes(id), admits(a) {
                            if total >= offset && ids.count < query.pageSize { ids.append(id) }
                            total += 1
                        }
                        entry = try cursor.next()
                    }
                }
                items = try ids.compactMap { try item($0) }
            } else {
                for entry in try txn.page(db, prefix: [], offset: offset, limit: query.pageSize) {
                    if let found = try entry.key.dropFirst(fixed).withUnsafeBytes({ try item($0) }) { items.append(found) }
                }
                total = try txn.count(db)
            }
            return Page(items: items, page: query.page, pageSize: query.pageSize, total: total, position: position)
        }
    }

    /// One product a token or term matched: its id's bytes (postings are ordered by them) and
    /// whether the match is in its title, or how many terms hit its title.
    ///
    /// The id points into the postings' key in the read transaction's pages, valid until that
    /// transaction ends: copying it out was an allocation per posting of every token.
    struct Hit {
        let id: UnsafeRawBufferPointer
        var score: Int
    }

    /// Products matching every term, with how many terms hit their title.
    ///
    /// Postings come out of LMDB ordered by product id, so tokens and terms are intersected by
    /// merging sorted lists — no hashing, no dictionary growing per match.
    static func search(_ terms: [[Tokenizer.QueryToken]], postings: Database, txn: Transaction) throws -> [Hit] {
        var result: [Hit]?
        for term in terms {
            // Within a term: every token must match; the term hits the title if every token does.
            var termHits: [Hit]?
            for token in term {
                let hits = try Self.postings(token, postings: postings, txn: txn)
                termHits = termHits.map { intersect($0, hits) { $0 & $1 } } ?? hits
                if termHits?.isEmpty == true { return [] }
            }
            guard let matches = termHits else { continue }
            result = result.map { intersect($0, matches) { $0 + $1 } } ?? matches
            if result?.isEmpty == true { return [] }
        }
        return result ?? []
    }

    /// memcmp order of two byte strings, a proper prefix first.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        a.keyOrder(b)
    }

    /// The hits in both sorted lists, their scores combined by `combine`.
    static func intersect(_ a: [Hit], _ b: [Hit], _ combine: (Int, Int) -> Int) -> [Hit] {
        var result: [Hit] = []
        result.reserveCapacity(min(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            let order = compare(a[i].id, b[j].id)
            if order < 0 {
                i += 1
            } else if order > 0 {
                j += 1
            } else {
                result.append(Hit(id: a[i].id, score: combine(a[i].score, b[j].score)))
                i += 1
                j += 1
            }
        }
        return result
    }

    /// The products a token matches, ordered by id; score 1 when the token is in the title.
    static func postings(_ token: Tokenizer.QueryToken, postings: Database, txn: Transaction) throws -> [Hit] {
        var hits: [Hit] = []
        let (prefix, exact): ([UInt8], Bool) = switch token {
        case .exact(let t): (Array(t.utf8) + [0], true)
        case .prefix(let p): (Array(p.utf8), false)
        }
        try txn.withCursor(postings) { cursor in
            var entry = try cursor.seek(atLeast: prefix)
            while let current = entry, current.key.hasPrefix(prefix) {
                let separator = exact ? prefix.count - 1 : (current.key.firstIndex(of: 0) ?? current.key.count)
                hits.append(Hit(id: UnsafeRawBufferPointer(rebasing: current.key[(separator + 1)...]), score: Int((current.value.first ?? 0) & 1)))
                entry = try cursor.next()
            }
        }
        guard !exact else { return hits }
        // A prefix spans several words, each with its own id-ordered run: order them as one,
        // one hit per product, in its title if any of its words is.
        hits.sort { x, y in
            let order = compare(x.id, y.id)
            return order < 0 || (order == 0 && x.score > y.score)
        }
        var merged: [Hit] = []
        merged.reserveCapacity(hits.count)
        for hit in hits where merged.last.map({ compare($0.id, hit.id) != 0 }) ?? true { merged.append(hit) }
        return merged
    }
}
