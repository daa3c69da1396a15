import Foundation
import LMDB

/// `GET /v1/admin/reports/sales`: per day or per sku over an inclusive range of UTC days.
public struct SalesQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    public enum Grouping: String, Sendable {
        case day
        case sku
    }

    public struct Row: Sendable, Codable, Equatable {
        public let key: String
        public let orders: Int64
        public let units: Int64
        public let revenueCents: Int64
        public let refundedCents: Int64

        public init(key: String, orders: Int64, units: Int64, revenueCents: Int64, refundedCents: Int64) {
            self.key = key
            self.orders = orders
            self.units = units
            self.revenueCents = revenueCents
            self.refundedCents = refundedCents
        }
    }

    /// `from`/`to` are `YYYY-MM-DD`; nil means unbounded.
    public func report(from: String?, to: String?, groupBy: Grouping) throws -> Positioned<[Row]> {
        try readModels.read { txn in
            let handles = try readModels.handles("sales")
            let decoder = JSONDecoder()
            var rows: [String: SalesProjection.SalesFigures] = [:]
            let db = try handles.database(groupBy == .day ? "days" : "day-skus")
            try txn.withCursor(db) { cursor in
                var entry = try from.map { try cursor.seek(atLeast: Array($0.utf8)) } ?? cursor.first()
                while let current = entry {
                    let key = String(decoding: current.key, as: UTF8.self)
                    let day = String(key.prefix(10))
                    if let to, day > to { break }
                    let figures = try DocumentCodec.decode(SalesProjection.SalesFigures.self, from: current.value, with: decoder)
                    let group = groupBy == .day ? day : String(key.dropFirst(11))
                    var total = rows[group] ?? SalesProjection.SalesFigures()
                    total.add(figures)
                    rows[group] = total
                    entry = try cursor.next()
                }
            }
            let items = rows.keys.sorted().compactMap { key in
                rows[key].map { Row(key: key, orders: $0.orders, units: $0.units, revenueCents: $0.revenueCents, refundedCents: $0.refundedCents) }
            }
            return Positioned(value: items, position: try readModels.checkpoint("sales", in: txn))
        }
    }
}
