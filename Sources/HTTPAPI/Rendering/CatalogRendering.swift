import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Products, skus and carts as the command side answers them (the same shapes the read
/// models store).
enum CatalogRendering {
    static func product(_ snapshot: ProductSnapshot) -> JSONValue {
        let p = snapshot.product
        return .object([
            "productId": .string(p.productId), "title": .string(p.title), "description": .string(p.description), "category": .string(p.category),
            "tags": .array(p.tags.map(JSONValue.string)), "imageUrls": .array(p.imageUrls.map(JSONValue.string)), "listed": .bool(p.listed),
            "skus": .array(snapshot.skus.map { sku in
                .object([
                    "skuId": .string(sku.skuId), "specs": specs(sku.specs), "priceCents": .int(sku.priceCents),
                    "limitPerUser": sku.limitPerUser.map { .int(Int64($0)) } ?? .null, "available": .int(sku.available), "sales": .int(sku.sold),
                ])
            }),
        ])
    }

    static func sku(_ sku: Sku.State, version: UInt64) -> JSONValue {
        .object([
            "skuId": .string(sku.skuId), "productId": .string(sku.productId), "specs": specs(sku.specs), "priceCents": .int(sku.priceCents),
            "limitPerUser": sku.limitPerUser.map { .int(Int64($0)) } ?? .null, "available": .int(sku.available), "reserved": .int(sku.reserved),
            "sold": .int(sku.sold), "version": .int(Int64(version)),
        ])
    }

    static func specs(_ entries: [SpecEntry]) -> JSONValue {
        .object(SpecEntry.dictionary(entries).mapValues(JSONValue.string))
    }
}
