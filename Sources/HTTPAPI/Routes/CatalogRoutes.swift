import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Public catalog reads: product lists and search, product and sku detail, categories.
struct CatalogRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.get, "/v1/products", EndpointSpec(access: .anyone, reads: ["catalog", "search"]), table: table, services: services) { call in
            var query = CatalogQueries.ListQuery()
            (query.page, query.pageSize) = try call.pagination()
            query.q = try Self.searchText(call)
            if let category = call.query("category") {
                guard (1...64).contains(category.count) else { throw APIError.badRequest("category must be 1–64 characters") }
                query.category = category
            }
            if let sort = call.query("sort") {
                guard let value = CatalogQueries.Sort(rawValue: sort) else {
                    throw APIError.badRequest("sort must be one of relevance, price_asc, price_desc, sales, newest")
                }
                query.sort = value
            }
            return try Self.page(try call.services.catalog.list(query))
        }
        router.endpoint(.get, "/v1/products/{productId}", EndpointSpec(access: .anyone, reads: ["catalog"]), table: table, services: services) { call in
            let productId = call.parameter("productId")
            let found = try call.services.catalog.product(productId)
            guard let bytes = found.value else { throw APIError.notFound("no product \(productId)") }
            return Reply(status: .ok, body: .stored(bytes), readPosition: found.position)
        }
        router.endpoint(.get, "/v1/categories", EndpointSpec(access: .anyone, reads: ["catalog"]), table: table, services: services) { call in
            let categories = try call.services.catalog.categories()
            let items: [JSONValue] = categories.value.map { ["category": .string($0.category), "productCount": .int(Int64($0.productCount))] }
            return .json(["items": .array(items)], readPosition: categories.position)
        }
        router.endpoint(.get, "/v1/skus/{skuId}", EndpointSpec(access: .anyone, reads: ["catalog"]), table: table, services: services) { call in
            let skuId = call.parameter("skuId")
            let found = try call.services.catalog.skuDocument(skuId)
            guard let sku = found.value, let bytes = try call.services.catalog.sku(skuId).value else { throw APIError.notFound("no sku \(skuId)") }
            return Reply(status: .ok, body: .stored(bytes), readPosition: found.position, etag: sku.version)
        }
    }

    static func searchText(_ call: Call) throws -> String? {
        guard let q = call.query("q") else { return nil }
        guard q.count <= 200 else { throw APIError.badRequest("q must be at most 200 characters") }
        // Character.isWhitespace covers Unicode spaces and line breaks, like Foundation's
        // .whitespacesAndNewlines, without bridging through a CharacterSet.
        var trimmed = Substring(q)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// A list page from stored item documents: `{items, page, pageSize, total}`.
    static func page(_ page: Page<[UInt8]>) throws -> Reply {
        var bytes: [UInt8] = Array(#"{"items":["#.utf8)
        for (index, item) in page.items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: item)
        }
        bytes.append(contentsOf: Array(#"],"page":\#(page.page),"pageSize":\#(page.pageSize),"total":\#(page.total)}"#.utf8))
        return Reply(status: .ok, body: .stored(bytes), readPosition: page.position)
    }
}
