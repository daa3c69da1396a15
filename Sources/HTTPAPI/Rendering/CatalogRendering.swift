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

    /// The cart right after a command, from the writer's states.
    static func cart(_ snapshot: CartSnapshot) -> JSONValue {
        var total: Int64 = 0
        let items: [JSONValue] = snapshot.lines.map { entry in
            let lineTotal = entry.sku.priceCents * Int64(entry.line.quantity)
            total = total.addingSaturated(lineTotal)
            return .object([
                "skuId": .string(entry.sku.skuId), "productId": .string(entry.sku.productId), "title": .string(entry.product.title),
                "specs": specs(entry.sku.specs), "priceCents": .int(entry.sku.priceCents), "quantity": .int(Int64(entry.line.quantity)),
                "lineTotalCents": .int(lineTotal), "available": .int(entry.sku.available),
            ])
        }
        return .object(["items": .array(items), "totalCents": .int(total), "version": .int(Int64(snapshot.version))])
    }

    /// The cart from the read models.
    static func cart(_ view: CartQueries.View) -> JSONValue {
        .object([
            "items": .array(view.items.map { line in
                .object([
                    "skuId": .string(line.skuId), "productId": .string(line.productId), "title": .string(line.title),
                    "specs": .object(line.specs.mapValues(JSONValue.string)), "priceCents": .int(line.priceCents), "quantity": .int(Int64(line.quantity)),
                    "lineTotalCents": .int(line.lineTotalCents), "available": .int(line.available),
                ])
            }),
            "totalCents": .int(view.totalCents), "version": .int(Int64(view.version)),
        ])
    }
}
