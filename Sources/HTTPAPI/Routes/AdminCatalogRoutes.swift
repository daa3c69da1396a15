import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The admin catalog: products, skus, prices, purchase limits and stock.
struct AdminCatalogRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        let write = EndpointSpec(access: .admin, body: .required)
        router.endpoint(.post, "/v1/admin/products", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let productId = body.identifier("productId")
            let fields = Self.productFields(&body, required: true)
            var skus: [Sku.Definition]?
            if let readers = body.objects("skus", count: 1...Product.maxSkus) {
                var definitions: [Sku.Definition] = []
                for var reader in readers {
                    if let definition = Self.skuDefinition(&reader) { definitions.append(definition) }
                    body.absorb(reader)
                }
                skus = definitions
            }
            if let skus, Set(skus.map(\.skuId)).count != skus.count { body.fail("skus", "skuIds must be unique") }
            try body.finish()
            guard let productId, let title = fields.title, let category = fields.category, let skus else { throw APIError.internalError }
            let command = Product.Create(productId: productId, title: title, description: fields.description ?? "", category: category,
                                         tags: fields.tags ?? [], imageUrls: fields.imageUrls ?? [], skus: skus, now: call.now)
            return try await call.command(status: .created, render: Self.renderProduct) { claim, remember in
                try await call.services.processor.createProduct(command, metadata: call.metadata, idempotency: claim, remember: remember)
            }
        }
        router.endpoint(.post, "/v1/admin/products/{productId}/skus", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let definition = Self.skuDefinition(&body)
            try body.finish()
            guard let definition else { throw APIError.internalError }
            let productId = call.parameter("productId")
            return try await call.command(status: .created, render: Self.renderProduct) { _, _ in
                try await call.services.processor.addSku(productId: productId, definition: definition, metadata: call.metadata)
            }
        }
        router.endpoint(.patch, "/v1/admin/products/{productId}", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let fields = Self.productFields(&body, required: false)
            try body.finish()
            let changes = Product.Changes(title: fields.title, description: fields.description, category: fields.category, tags: fields.tags,
                                          imageUrls: fields.imageUrls)
            let productId = call.parameter("productId")
            return try await call.command(status: .ok, render: Self.renderProduct) { _, _ in
                try await call.services.processor.updateProduct(productId: productId, changes: changes, metadata: call.metadata)
            }
        }
        for (action, listed) in [("unlist", false), ("list", true)] {
            router.endpoint(.post, "/v1/admin/products/{productId}/\(action)", EndpointSpec(access: .admin), table: table, services: services) { call in
                let productId = call.parameter("productId")
                return try await call.command(status: .ok, render: Self.renderProduct) { _, _ in
                    try await call.services.processor.setListed(productId: productId, listed: listed, metadata: call.metadata)
                }
            }
        }
        router.endpoint(.get, "/v1/admin/products", EndpointSpec(access: .admin, reads: ["catalog", "search"]), table: table, services: services) { call in
            var query = CatalogQueries.ListQuery(includeUnlisted: true)
            (query.page, query.pageSize) = try call.pagination()
            query.q = try CatalogRoutes.searchText(call)
            if let listed = call.query("listed") {
                guard listed == "true" || listed == "false" else { throw APIError.badRequest("listed must be true or false") }
                query.listed = listed == "true"
            }
            return try CatalogRoutes.page(try call.services.catalog.list(query))
        }

        router.endpoint(.put, "/v1/admin/skus/{skuId}/price", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let price = body.integer("priceCents", range: 0...OrderPlacement.maxSafeInteger)
            try body.finish()
            guard let price else { throw APIError.internalError }
            return try await Self.changeSku(call, .price(price))
        }
        router.endpoint(.put, "/v1/admin/skus/{skuId}/limit", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let limit: Int?
            if body.isExplicitNull("limitPerUser") {
                limit = nil
            } else {
                limit = body.integer("limitPerUser", range: 1...99).map { Int($0) }
            }
            try body.finish()
            return try await Self.changeSku(call, .limit(limit))
        }
        router.endpoint(.post, "/v1/admin/skus/{skuId}/restock", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let quantity = body.integer("quantity", range: 1...Sku.maxRestock)
            try body.finish()
            guard let quantity else { throw APIError.internalError }
            return try await Self.changeSku(call, .restock(quantity))
        }
        router.endpoint(.post, "/v1/admin/skus/{skuId}/adjust", write, table: table, services: services) { call in
            var body = BodyReader(call.body)
            let delta = body.integer("delta", range: -Sku.maxRestock...Sku.maxRestock)
            let reason = body.string("reason", length: 1...200, text: .multiLine)
            if delta == 0 { body.fail("delta", "must not be 0") }
            try body.finish()
            guard let delta, let reason else { throw APIError.internalError }
            return try await Self.changeSku(call, .adjust(delta: delta, reason: reason))
        }
    }

    static func changeSku(_ call: Call, _ change: CommandProcessor.SkuChange) async throws -> Reply {
        let skuId = call.parameter("skuId")
        let ifMatch = try call.ifMatch()
        return try await call.command(status: .ok, render: { (snapshot: SkuSnapshot, position: UInt64) in
            Reply.command(CatalogRendering.sku(snapshot.sku, version: snapshot.version), position: position, etag: snapshot.version)
        }) { claim, remember in
            try await call.services.processor.changeSku(skuId: skuId, change, ifMatch: ifMatch, metadata: call.metadata, idempotency: claim, remember: remember)
        }
    }

    @Sendable static func renderProduct(_ snapshot: ProductSnapshot, _ position: UInt64) -> Reply {
        Reply.command(CatalogRendering.product(snapshot), position: position)
    }

    struct ProductFields {
        var title: String?
        var description: String?
        var category: String?
        var tags: [String]?
        var imageUrls: [String]?
    }

    static func productFields(_ body: inout BodyReader, required: Bool) -> ProductFields {
        ProductFields(
            title: body.string("title", required: required, length: 1...200),
            description: body.string("description", required: false, length: 0...5000, text: .multiLine),
            category: body.string("category", required: required, length: 1...64),
            tags: body.strings("tags", count: 0...20, length: 1...32),
            imageUrls: body.webURLs("imageUrls", count: 0...10, length: 1...2048))
    }

    static func skuDefinition(_ body: inout BodyReader) -> Sku.Definition? {
        let skuId = body.identifier("skuId")
        let specs = body.stringMap("specs", maxEntries: 20, length: 1...64)
        let price = body.integer("priceCents", range: 0...OrderPlacement.maxSafeInteger)
        let limit = body.integer("limitPerUser", required: false, range: 1...99).map { Int($0) }
        guard let skuId, let specs, let price else { return nil }
        return Sku.Definition(skuId: skuId, specs: SpecEntry.list(from: specs), priceCents: price, limitPerUser: limit)
    }
}
