import Domain

/// Products, skus, categories and the orderings product lists page through.
///
/// - `products`: productId → `ProductDocument`; `skus`: skuId → `SkuDocument` (answers as is)
/// - `items`: productId → `ProductListItem`; `attributes`: productId → `ProductAttributes`
/// - `newest` (every product), `listed-newest`, `by-price`, `by-price-desc`, `by-sales`
///   (listed only):
///   ordered keys ending in the productId, ties to the newer product then the id
/// - `categories`: category → number of listed products
public struct CatalogProjection: Projection {
    public let name = "catalog"
    public let databases = ["products", "skus", "items", "attributes", "newest", "listed-newest", "by-price", "by-price-desc", "by-sales", "categories"]

    public init() {}

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        switch projected.event {
        case .product(let event):
            try apply(event, productId: projected.entityId, position: projected.position, context)
        case .sku(let event):
            try apply(event, skuId: projected.entityId, version: projected.version, context)
        default:
            return
        }
    }

    private func apply(_ event: Product.Event, productId: String, position: UInt64, _ context: ProjectionContext) throws {
        if case .created(let e) = event {
            let document = ProductDocument(productId: e.productId, title: e.title, description: e.description, category: e.category, tags: e.tags,
                                           imageUrls: e.imageUrls, listed: true, skus: [])
            let attributes = ProductAttributes(listed: true, category: e.category, createdPosition: position, minPriceCents: 0, sales: 0)
            try context.setDocument(document, "products", productId)
            try store(document, attributes, previous: nil, context)
            return
        }
        // The list item, attributes and orderings follow at the end of the batch.
        try context.update(ProductDocument.self, "products", productId) { document in
            switch event {
            case .created, .skuAdded: break
            case .updated(let e):
                if let v = e.title { document.title = v }
                if let v = e.description { document.description = v }
                if let v = e.category { document.category = v }
                if let v = e.tags { document.tags = v }
                if let v = e.imageUrls { document.imageUrls = v }
            case .unlisted: document.listed = false
            case .listed: document.listed = true
            }
        }
    }

    /// Changes the sku's own document; its product's entry and lists follow at the end of the
    /// batch (a flash sale moves one sku's stock a thousand times per batch: the product, its
    /// list item and orderings are rewritten once).
    private func apply(_ event: Sku.Event, skuId: String, version: UInt64, _ context: ProjectionContext) throws {
        if case .created(let e) = event {
            let sku = SkuDocument(skuId: e.skuId, productId: e.productId, specs: SpecEntry.dictionary(e.specs), priceCents: e.priceCents,
                                  limitPerUser: e.limitPerUser, available: 0, reserved: 0, sold: 0, version: version)
            try context.setDocument(sku, "skus", skuId)
            // Appended now, so a product's skus keep the order they were created in.
            try context.update(ProductDocument.self, "products", sku.productId) { product in
                if !product.skus.contains(where: { $0.skuId == skuId }) { product.skus.append(Self.entry(sku)) }
            }
            return
        }
        try context.update(SkuDocument.self, "skus", skuId) { sku in
            sku.version = version
            switch event {
            case .priceChanged(let e): sku.priceCents = e.priceCents
            case .limitChanged(let e): sku.limitPerUser = e.limitPerUser
            case .created, .restocked, .adjusted, .reserved, .released, .sold, .returned: break
            }
            Sku.moveUnits(event, available: &sku.available, reserved: &sku.reserved, sold: &sku.sold)
        }
    }

    private static func entry(_ sku: SkuDocument) -> ProductSkuDocument {
        ProductSkuDocument(skuId: sku.skuId, specs: sku.specs, priceCents: sku.priceCents, limitPerUser: sku.limitPerUser,
                           available: sku.available, sales: sku.sold)
    }

    /// Each changed sku into its product's entry, then each changed product's list item,
    /// attributes and orderings.
    public func finishBatch(_ context: ProjectionContext) throws {
        try context.forEachChange(SkuDocument.self, "skus") { _, after in
            guard let sku = after else { return }
            try context.update(ProductDocument.self, "products", sku.productId) { product in
                if let index = product.skus.firstIndex(where: { $0.skuId == sku.skuId }) { product.skus[index] = Self.entry(sku) }
            }
        }
        try context.forEachChange(ProductDocument.self, "products") { _, after in
            guard let product = after, let previous = try context.document(ProductAttributes.self, "attributes", product.productId) else { return }
            var attributes = previous
            attributes.listed = product.listed
            attributes.category = product.category
            try store(product, attributes, previous: previous, context)
        }
    }

    /// Writes the list item, the attributes and every ordering whose key changed.
    private func store(_ product: ProductDocument, _ base: ProductAttributes, previous: ProductAttributes?, _ context: ProjectionContext) throws {
        var attributes = base
        attributes.minPriceCents = product.minPriceCents
        attributes.sales = product.sales
        let item = ProductListItem(productId: product.productId, title: product.title, category: product.category, minPriceCents: attributes.minPriceCents,
                                   available: product.available, sales: attributes.sales, imageUrl: product.imageUrls.first)
        try context.setDocument(item, "items", product.productId)
        try context.setDocument(attributes, "attributes", product.productId)
        if previous == nil {
            try context.put("newest", Self.newestKey(attributes, product.productId), [])
        }
        if let previous, previous == attributes { return }
        if let previous, previous.listed {
            try context.delete("listed-newest", Self.newestKey(previous, product.productId))
            try context.delete("by-price", Self.priceKey(previous, product.productId))
            try context.delete("by-price-desc", Self.priceDescendingKey(previous, product.productId))
            try context.delete("by-sales", Self.salesKey(previous, product.productId))
            try context.addToCounter("categories", previous.category, -1)
        }
        if attributes.listed {
            try context.put("listed-newest", Self.newestKey(attributes, product.productId), [])
            try context.put("by-price", Self.priceKey(attributes, product.productId), [])
            try context.put("by-price-desc", Self.priceDescendingKey(attributes, product.productId), [])
            try context.put("by-sales", Self.salesKey(attributes, product.productId), [])
            try context.addToCounter("categories", attributes.category, 1)
        }
    }

    static func newestKey(_ a: ProductAttributes, _ productId: String) -> [UInt8] {
        KeyEncoding.key(.inverted(a.createdPosition), .tail(productId))
    }

    static func priceKey(_ a: ProductAttributes, _ productId: String) -> [UInt8] {
        KeyEncoding.key(.number(UInt64(max(0, a.minPriceCents))), .inverted(a.createdPosition), .tail(productId))
    }

    static func priceDescendingKey(_ a: ProductAttributes, _ productId: String) -> [UInt8] {
        KeyEncoding.key(.inverted(UInt64(max(0, a.minPriceCents))), .inverted(a.createdPosition), .tail(productId))
    }

    static func salesKey(_ a: ProductAttributes, _ productId: String) -> [UInt8] {
        KeyEncoding.key(.inverted(UInt64(max(0, a.sales))), .inverted(a.createdPosition), .tail(productId))
    }
}
