import CanonicalJSON
import Domain

/// The sales report: per UTC day, and per day and sku, the orders counted when paid and the
/// refunds counted when approved. A late payment refunded automatically counts nowhere.
///
/// - `orders`: orderId → the lines the report needs
/// - `days`: day → `SalesFigures`; `day-skus`: day ‖ 0x00 ‖ skuId → `SalesFigures`
public struct SalesProjection: Projection {
    public let name = "sales"
    public let databases = ["orders", "days", "day-skus"]

    public init() {}

    public struct SalesFigures: Codable, Sendable, Equatable {
        public var orders: Int64 = 0
        public var units: Int64 = 0
        public var revenueCents: Int64 = 0
        public var refundedCents: Int64 = 0

        public init(orders: Int64 = 0, units: Int64 = 0, revenueCents: Int64 = 0, refundedCents: Int64 = 0) {
            self.orders = orders
            self.units = units
            self.revenueCents = revenueCents
            self.refundedCents = refundedCents
        }

        /// Adds `other` in, each figure stopping at `Int64.max` instead of overflowing: an
        /// overflow traps and would take the server down (here on the read-model thread, in the
        /// report on a request). Only absurd prices come near it — an order is at most 2^53 − 1
        /// cents, so it takes over a thousand such orders — but no input may crash the server.
        public mutating func add(_ other: SalesFigures) {
            orders = orders.addingSaturated(other.orders)
            units = units.addingSaturated(other.units)
            revenueCents = revenueCents.addingSaturated(other.revenueCents)
            refundedCents = refundedCents.addingSaturated(other.refundedCents)
        }
    }

    struct SoldOrder: Codable {
        struct Line: Codable {
            let skuId: String
            let quantity: Int64
            let lineTotalCents: Int64
        }

        let lines: [Line]
        let totalCents: Int64
        var paid: Bool
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        guard case .order(let event) = projected.event else { return }
        let orderId = projected.entityId
        switch event {
        case .placed(let e):
            let lines = e.lines.map { SoldOrder.Line(skuId: $0.skuId, quantity: Int64($0.quantity), lineTotalCents: $0.lineTotalCents) }
            try context.setDocument(SoldOrder(lines: lines, totalCents: e.totalCents, paid: false), "orders", orderId)
        case .paid(let e):
            var paid: SoldOrder?
            try context.update(SoldOrder.self, "orders", orderId) { order in
                order.paid = true
                paid = order
            }
            guard let order = paid else { return }
            let day = e.recordedAt.day
            try add(day: day, sku: nil) {
                $0.add(SalesFigures(orders: 1, units: order.lines.reduce(0) { $0 + $1.quantity }, revenueCents: order.totalCents))
            }
            for line in order.lines {
                try add(day: day, sku: line.skuId) { $0.add(SalesFigures(orders: 1, units: line.quantity, revenueCents: line.lineTotalCents)) }
            }
        case .refundApproved(let e):
            guard let order = try context.document(SoldOrder.self, "orders", orderId), order.paid else { return }
            let day = e.at.day
            try add(day: day, sku: nil) { $0.add(SalesFigures(refundedCents: order.totalCents)) }
            for line in order.lines { try add(day: day, sku: line.skuId) { $0.add(SalesFigures(refundedCents: line.lineTotalCents)) } }
        default:
            return
        }

        func add(day: String, sku: String?, _ change: (inout SalesFigures) -> Void) throws {
            let (db, key) = sku.map { ("day-skus", Self.daySkuKey(day, $0)) } ?? ("days", day)
            try context.upsert(SalesFigures.self, db, key, initial: { SalesFigures() }, change)
        }
    }

    static func daySkuKey(_ day: String, _ skuId: String) -> String {
        day + "\u{0}" + skuId
    }
}

extension SalesProjection.SoldOrder: BoundedCompactJSONRepresentable {
    /// Written by hand (the synthesized form's bytes exactly, pinned by DocumentBytesTests):
    /// one per order placed, through a `BoundedWriter` as the orders' documents are.
    func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("lines", first: true)
        out.array(lines) { line, out in
            out.member("skuId", first: true)
            out.string(line.skuId)
            out.member("quantity")
            out.integer(line.quantity)
            out.member("lineTotalCents")
            out.integer(line.lineTotalCents)
            out.byte(UInt8(ascii: "}"))
        }
        out.member("totalCents")
        out.integer(totalCents)
        out.member("paid")
        out.bool(paid)
        out.byte(UInt8(ascii: "}"))
    }
}

// Read back on every order paid or refunded after the batch that placed it, and every day's
// figures on every such event: in place, not through Foundation's decoder (the documents'
// synthesized `Decodable` still decides whatever these refuse; DocumentBytesTests compare them).

extension SalesProjection.SoldOrder: StoredDocumentReadable {
    static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "SoldOrder")
        return Self(lines: try document.objects("lines") { (line) throws(StoredShapeError) in
            Line(skuId: try line.string("skuId"), quantity: try line.int64("quantity"), lineTotalCents: try line.int64("lineTotalCents"))
        }, totalCents: try document.int64("totalCents"), paid: try document.bool("paid"))
    }
}

extension SalesProjection.SalesFigures: StoredDocumentReadable, BoundedCompactJSONRepresentable {
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "SalesFigures")
        return Self(orders: try document.int64("orders"), units: try document.int64("units"), revenueCents: try document.int64("revenueCents"),
                    refundedCents: try document.int64("refundedCents"))
    }

    /// Byte for byte the synthesized form, members in declaration order.
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("orders", first: true)
        out.integer(orders)
        out.member("units")
        out.integer(units)
        out.member("revenueCents")
        out.integer(revenueCents)
        out.member("refundedCents")
        out.integer(refundedCents)
        out.byte(UInt8(ascii: "}"))
    }
}
