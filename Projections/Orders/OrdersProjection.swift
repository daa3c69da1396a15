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
            let initial = { OrderDocument(order: Order.initialState, version: 0, placedPosition: projected.position, erased: false) }
            // The order's first event: its document cannot exist yet.
            let isNew = projected.version == 1
            try context.upsert(OrderDocument.self, "orders", projected.entityId, isNew: isNew, initial: initial) { document in
                Order.evolve(&document.order, event)
                document.version = projected.version
                if document.erased { document.order = document.order.erasingPersonalData() }
            }
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
        try context.forEachChange(OrderDocument.self, "orders") { before, after in
            switch (before, after) {
            case (nil, let placed?): try index(placed, context)
            case (let gone?, nil): try unindex(gone, context)
            case (let old?, let new?): try reindex(from: old, to: new, context)
            case (nil, nil): return
            }
        }
    }

    /// An order's place in a list: by user, or the whole shop; each of them whole or by status.
    private enum List: CaseIterable {
        case byUser, byUserStatus, all, byStatus

        var database: String {
            switch self {
            case .byUser: "by-user"
            case .byUserStatus: "by-user-status"
            case .all: "all"
            case .byStatus: "by-status"
            }
        }

        var isByStatus: Bool { self == .byUserStatus || self == .byStatus }

        func key(_ document: OrderDocument) -> [UInt8] {
            let order = document.order
            switch self {
            case .byUser: return KeyEncoding.key(.string(order.userId), .inverted(document.placedPosition), .tail(order.orderId))
            case .byUserStatus:
                return KeyEncoding.key(.string(order.userId), .string(order.status.rawValue), .inverted(document.placedPosition), .tail(order.orderId))
            case .all: return KeyEncoding.key(.inverted(document.placedPosition), .tail(order.orderId))
            case .byStatus: return KeyEncoding.key(.string(order.status.rawValue), .inverted(document.placedPosition), .tail(order.orderId))
            }
        }
    }

    private static func summary(of order: Order.State) -> OrderSummary {
        OrderSummary(orderId: order.orderId, status: order.status, totalCents: order.totalCents, itemCount: order.itemCount,
                     createdAt: order.placedAt.rfc3339Seconds)
    }

    /// Written by the summary itself, not through `CompactJSONEncoder.encode`, whose generic
    /// path asks the runtime on every call whether the type writes itself (~300 instructions, a
    /// conformance lookup): here the type is known.
    private func summary(_ order: Order.State) -> [UInt8] {
        Self.summary(of: order).compactJSONBytes()
    }

    private func count(_ order: Order.State, byStatusOnly: Bool, _ delta: Int, _ context: ProjectionContext) throws {
        let status = Self.statusCounterKeys(order.status)
        let user = "user:" + order.userId
        if !byStatusOnly {
            try context.addToCounter("counts", "all", delta)
            try context.addToCounter("counts", user, delta)
        }
        try context.addToCounter("counts", status.total, delta)
        try context.addToCounter("counts", user + status.userSuffix, delta)
    }

    private static let statuses = OrderStatus.allCases
    /// Each status's `status:<s>` key and the `:<s>` a buyer's key by status ends with, made once
    /// rather than concatenated for every order (two allocations of the four a count made).
    private static let statusKeys = statuses.map { (total: "status:" + $0.rawValue, userSuffix: ":" + $0.rawValue) }

    private static func statusCounterKeys(_ status: OrderStatus) -> (total: String, userSuffix: String) {
        statuses.firstIndex(of: status).map { statusKeys[$0] } ?? ("status:" + status.rawValue, ":" + status.rawValue)
    }

    private func index(_ document: OrderDocument, _ context: ProjectionContext) throws {
        let value = summary(document.order)
        for list in List.allCases { try context.put(list.database, list.key(document), value) }
        try count(document.order, byStatusOnly: false, 1, context)
    }

    private func unindex(_ document: OrderDocument, _ context: ProjectionContext) throws {
        for list in List.allCases { try context.delete(list.database, list.key(document)) }
        try count(document.order, byStatusOnly: false, -1, context)
    }

    /// An order that changed: its entries are rewritten in place, and moved (with the status
    /// counts) only in the lists by status, and only when its status changed. An order keeps its
    /// buyer, id and placing position, so its other keys stay.
    private func reindex(from old: OrderDocument, to new: OrderDocument, _ context: ProjectionContext) throws {
        let moved = old.order.status != new.order.status
        // An event that leaves the summary as it was (a payment requested, an erasure) touches
        // no list: its keys and values are what they were.
        guard moved || Self.summary(of: old.order) != Self.summary(of: new.order) else { return }
        let value = summary(new.order)
        for list in List.allCases {
            if moved && list.isByStatus { try context.delete(list.database, list.key(old)) }
            try context.put(list.database, list.key(new), value)
        }
        if moved {
            try count(old.order, byStatusOnly: true, -1, context)
            try count(new.order, byStatusOnly: true, 1, context)
        }
    }
}

extension OrdersProjection.OrderDocument: StoredDocumentReadable {
    /// Read back on every event of an order placed in an earlier batch, and by every order
    /// detail query: in place, not through Foundation's decoder (see `Order.State(stored:)`).
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "OrderDocument")
        return Self(order: try Order.State(stored: try document.object("order")), version: try document.uint64("version"),
                    placedPosition: try document.uint64("placedPosition"), erased: try document.bool("erased"))
    }
}

extension OrdersProjection.OrderDocument: BoundedCompactJSONRepresentable {
    /// Written by hand (the synthesized form's bytes exactly, pinned by DocumentBytesTests): it
    /// is re-encoded on every order event, and Codable made it a fifth of the read-model thread.
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("order", first: true)
        order.writeCompactJSON(into: &out)
        out.member("version")
        out.integer(version)
        out.member("placedPosition")
        out.integer(placedPosition)
        out.member("erased")
        out.bool(erased)
        out.byte(UInt8(ascii: "}"))
    }
}

extension OrdersProjection.OrderSummary: BoundedCompactJSONRepresentable {
    /// Written by hand (the synthesized form's bytes exactly, pinned by DocumentBytesTests): one
    /// is written to four lists on every order event.
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("orderId", first: true)
        out.string(orderId)
        out.member("status")
        status.writeCompactJSON(into: &out)
        out.member("totalCents")
        out.integer(totalCents)
        out.member("itemCount")
        out.integer(Int64(itemCount))
        out.member("createdAt")
        out.string(createdAt)
        out.byte(UInt8(ascii: "}"))
    }
}
