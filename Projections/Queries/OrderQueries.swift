import Domain
import Foundation
import LMDB

/// Orders for their buyers and for the shop.
public struct OrderQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    public func order(_ orderId: String) throws -> Positioned<OrdersProjection.OrderDocument?> {
        try readModels.read { txn in
            let handles = try readModels.handles("orders")
            let document = try txn.get(try handles.database("orders"), Array(orderId.utf8)).map {
                try DocumentCodec.decode(OrdersProjection.OrderDocument.self, from: $0, with: JSONDecoder())
            }
            return Positioned(value: document, position: try readModels.checkpoint("orders", in: txn))
        }
    }

    /// A page of `OrderSummary` JSON, newest first; by buyer and/or status when given.
    public func list(userId: String?, status: OrderStatus?, page: Int, pageSize: Int) throws -> Page<[UInt8]> {
        try readModels.read { txn in
            let handles = try readModels.handles("orders")
            let (db, prefix, counter): (String, [UInt8], String) = switch (userId, status) {
            case (let user?, let status?): ("by-user-status", KeyEncoding.key(.string(user), .string(status.rawValue)), "user:\(user):\(status.rawValue)")
            case (let user?, nil): ("by-user", KeyEncoding.stringPrefix(user), "user:\(user)")
            case (nil, let status?): ("by-status", KeyEncoding.stringPrefix(status.rawValue), "status:\(status.rawValue)")
            case (nil, nil): ("all", [], "all")
            }
            let entries = try txn.page(try handles.database(db), prefix: prefix, offset: (page - 1) * pageSize, limit: pageSize)
            return Page(items: entries.map(\.value), page: page, pageSize: pageSize, total: try txn.counter(try handles.database("counts"), counter),
                        position: try readModels.checkpoint("orders", in: txn))
        }
    }
}
