import CanonicalJSON
import Domain

/// Orders for their buyers and for the shop.
///
/// - `orders`: orderId → `OrderDocument` (the domain's own fold, personal data sealed)
/// - `by-user`, `by-user-status`, `all`, `by-status`: newest first, value = `OrderSummary`
/// - `counts`: `all`, `status:<s>`, `user:<u>`, `user:<u>:<s>` → totals for pagination
public struct OrdersProjection: Projection {
    public let name = "orders"
    public let databases = ["orders", "by-user", "by-user-status", "all", "by-status", "counts"]

    public init() {}

    public struct OrderDocument: Codable, Sendable, Equatable {
        public var order: Order.State
        public var version: UInt64
        /// Position of `OrderPlaced`, which orders the lists.
        public var placedPosition: UInt64
        public var erased: Bool
    }

    public struct OrderSummary: Codable, Sendable, Equatable {
        public let orderId: String
        public let status: OrderStatus
        public let totalCents: Int64
        public let itemCount: Int
        public let createdAt: String
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        switch projected.event {
        case .order(let event):
            let orderId = projected.entityId
            let previous = try context.document(OrderDocument.self, "orders", orderId)
            var document = previous ?? OrderDocument(order: Order.initialState, version: 0, placedPosition: projected.position, erased: false)
            document.order = Order.evolve(document.order, event)
            document.version = projected.version
            if document.erased { document.order = document.order.erasingPersonalData() }
            try context.setDocument(document, "orders", orderId)
        case .account(.erased):
            // The lists below must hold this batch's orders too.
            try finishBatch(context)
            let userId = projected.entityId
            for entry in try context.entries("by-user", prefix: KeyEncoding.stringPrefix(userId)) {
                guard let summary = try? DocumentCodec.decode(OrderSummary.self, from: entry.value) else { continue }
                try context.update(OrderDocument.self, "orders", summary.orderId) { document in
                    document.order = document.order.erasingPersonalData()
                    document.erased = true
                }
            }
        default:
            return
        }
    }

    /// Lists and counts follow each order's first and last state in the batch.
    public func finishBatch(_ context: ProjectionContext) throws {
        for (before, after) in try context.takeChanges(OrderDocument.self, "orders") {
            if let before { try unindex(before, context) }
            if let after { try index(after, context) }
        }
    }

    private func keys(_ document: OrderDocument) -> [(String, [UInt8])] {
        let order = document.order
        let status = order.status.rawValue
        return [
            ("by-user", KeyEncoding.key(.string(order.userId), .inverted(document.placedPosition), .tail(order.orderId))),
            ("by-user-status", KeyEncoding.key(.string(order.userId), .string(status), .inverted(document.placedPosition), .tail(order.orderId))),
            ("all", KeyEncoding.key(.inverted(document.placedPosition), .tail(order.orderId))),
            ("by-status", KeyEncoding.key(.string(status), .inverted(document.placedPosition), .tail(order.orderId))),
        ]
    }

    private func counters(_ order: Order.State) -> [String] {
        ["all", "status:\(order.status.rawValue)", "user:\(order.userId)", "user:\(order.userId):\(order.status.rawValue)"]
    }

    private func unindex(_ document: OrderDocument, _ context: ProjectionContext) throws {
        for (db, key) in keys(document) { try context.delete(db, key) }
        for counter in counters(document.order) { try context.addToCounter("counts", counter, -1) }
    }

    private func index(_ document: OrderDocument, _ context: ProjectionContext) throws {
        let order = document.order
        let summary = OrderSummary(orderId: order.orderId, status: order.status, totalCents: order.totalCents, itemCount: order.itemCount,
                                   createdAt: order.placedAt.rfc3339Seconds)
        let value = try CompactJSONEncoder().encode(summary)
        for (db, key) in keys(document) { try context.put(db, key, value) }
        for counter in counters(order) { try context.addToCounter("counts", counter, 1) }
    }
}

extension OrdersProjection.OrderDocument: CompactJSONRepresentable {
    /// Written by hand (the synthesized form's bytes exactly, pinned by DocumentBytesTests): it
    /// is re-encoded on every order event, and Codable made it a fifth of the read-model thread.
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("order", first: true, into: &out)
        order.writeCompactJSON(into: &out)
        CanonicalJSON.member("version", into: &out)
        out.append(contentsOf: String(version).utf8)
        CanonicalJSON.member("placedPosition", into: &out)
        out.append(contentsOf: String(placedPosition).utf8)
        CanonicalJSON.member("erased", into: &out)
        CanonicalJSON.writeBool(erased, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension OrdersProjection.OrderSummary: CompactJSONRepresentable {
    /// Written by hand (the synthesized form's bytes exactly, pinned by DocumentBytesTests): one
    /// is written to four lists on every order event.
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("orderId", first: true, into: &out)
        CanonicalJSON.writeString(orderId, into: &out)
        CanonicalJSON.member("status", into: &out)
        status.writeCompactJSON(into: &out)
        CanonicalJSON.member("totalCents", into: &out)
        CanonicalJSON.writeInteger(totalCents, into: &out)
        CanonicalJSON.member("itemCount", into: &out)
        CanonicalJSON.writeInteger(Int64(itemCount), into: &out)
        CanonicalJSON.member("createdAt", into: &out)
        CanonicalJSON.writeString(createdAt, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
