import Domain
import Foundation
import LMDB

/// `GET /v1/cart`: the cart's lines joined with the catalog (title, specs, price, stock) in
/// one snapshot.
public struct CartQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    public struct Line: Sendable, Codable, Equatable {
        public let skuId: String
        public let productId: String
        public let title: String
        public let specs: [String: String]
        public let priceCents: Int64
        public let quantity: Int
        public let lineTotalCents: Int64
        public let available: Int64

        public init(skuId: String, productId: String, title: String, specs: [String: String], priceCents: Int64, quantity: Int, lineTotalCents: Int64,
                    available: Int64) {
            self.skuId = skuId
            self.productId = productId
            self.title = title
            self.specs = specs
            self.priceCents = priceCents
            self.quantity = quantity
            self.lineTotalCents = lineTotalCents
            self.available = available
        }
    }

    public struct View: Sendable, Codable, Equatable {
        public let items: [Line]
        public let totalCents: Int64
        public let version: UInt64
    }

    public func cart(_ userId: String) throws -> Positioned<View> {
        try readModels.read { txn in
            let carts = try readModels.handles("carts")
            let catalog = try readModels.handles("catalog")
            let decoder = JSONDecoder()
            let document = try txn.get(try carts.database("carts"), Array(userId.utf8)).map {
                try DocumentCodec.decode(CartsProjection.CartDocument.self, from: $0, with: decoder)
            }
            var lines: [Line] = []
            for line in document?.cart.lines ?? [] {
                guard let skuBytes = try txn.get(try catalog.database("skus"), Array(line.skuId.utf8)) else { continue }
                let sku = try DocumentCodec.decode(SkuDocument.self, from: skuBytes, with: decoder)
                let title = try txn.get(try catalog.database("products"), Array(sku.productId.utf8))
                    .map { try ProductDocument.storedTitle($0) ?? DocumentCodec.decode(ProductDocument.self, from: $0, with: decoder).title } ?? ""
                lines.append(Line(skuId: sku.skuId, productId: sku.productId, title: title, specs: sku.specs, priceCents: sku.priceCents,
                                  quantity: line.quantity, lineTotalCents: sku.priceCents * Int64(line.quantity), available: sku.available))
            }
            let view = View(items: lines, totalCents: lines.reduce(0) { $0.addingSaturated($1.lineTotalCents) }, version: document?.version ?? 0)
            return Positioned(value: view, position: max(try readModels.checkpoint("carts", in: txn), 0))
        }
    }
}
