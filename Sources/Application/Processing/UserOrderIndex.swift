import Domain
import EventStore
import LMDB

/// The buyer → orders index (purchase limits, erasure), written behind the log.
///
/// Why behind: an entry keyed `<userId>/<orderId>` lands on a different B-tree page for every
/// buyer, so writing one per order made each batch of a sale with many buyers dirty one 4 KiB
/// page per buyer — more bytes per commit than the events themselves (in-process hot sku, 256
/// buyers: 22k → 31k orders/s without it). Instead the writer keeps new entries in memory and
/// writes them in bulk, sorted, once `flushThreshold` have gathered, together with a marker:
/// every order placed at or before the marker's position is in the table. After a crash (or a
/// failed batch) the orders after the marker are found again in the log, which stays the only
/// truth. A table without a marker was written by a build that indexed every order at once.
///
/// Writer-confined, like the rest of `ProcessorState`.
final class UserOrderIndex: @unchecked Sendable {
    /// What one order's placement adds to its plan, and takes effect once the plan is staged.
    struct Addition {
        let userId: String
        let orderId: String
        /// Side-table writes for the plan: the flushed entries and the marker, or nothing.
        let writes: [SideTableWrite]
        /// The new marker when this addition flushes.
        let marker: UInt64?
    }

    static let markerKey: [UInt8] = [0] + Array("indexed-through".utf8)

    let flushThreshold: Int
    /// Flush at the next order anyway once the marker is this far behind the log, so the scan
    /// after a restart stays short even when orders are rare.
    let maxMarkerLag: UInt64

    /// The marker as durable (or staged) in the table; nil until loaded.
    private var marker: UInt64?
    /// The table has no marker yet: the next addition writes one.
    private var needsMarker = false
    private var pending: [String: [String]] = [:]
    private var pendingCount = 0

    init(flushThreshold: Int, maxMarkerLag: UInt64 = 100_000) {
        self.flushThreshold = max(1, flushThreshold)
        self.maxMarkerLag = maxMarkerLag
    }

    /// The buyer's order ids: the table's plus those not written yet.
    func orderIds(of userId: String, context: WriteContext) throws -> [String] {
        try load(context)
        let prefix = SideTables.userOrdersPrefix(userId)
        var ids = try context.sideTableEntries(SideTables.userOrders, prefix: prefix).map {
            String(decoding: $0.key.dropFirst(prefix.count), as: UTF8.self)
        }
        if let waiting = pending[userId] {
            let stored = Set(ids)
            ids.append(contentsOf: waiting.filter { !stored.contains($0) })
        }
        return ids
    }

    /// The writes an order's placement adds to its plan: usually none; every `flushThreshold`
    /// orders, every waiting entry plus the marker at the last position before this order.
    func addition(userId: String, orderId: String, context: WriteContext) throws -> Addition {
        try load(context)
        let last = context.lastPosition
        guard needsMarker || pendingCount >= flushThreshold || last - min(last, marker ?? 0) >= maxMarkerLag else {
            return Addition(userId: userId, orderId: orderId, writes: [], marker: nil)
        }
        var keys: [[UInt8]] = []
        keys.reserveCapacity(pendingCount)
        for (user, orders) in pending {
            for order in orders { keys.append(SideTables.userOrderKey(userId: user, orderId: order)) }
        }
        keys.sort { $0.keyPrecedes($1) }
        var writes = keys.map { SideTableWrite(table: SideTables.userOrders, key: $0, operation: .put([])) }
        writes.append(SideTableWrite(table: SideTables.userOrders, key: Self.markerKey, operation: .put(BigEndian.bytes(last))))
        return Addition(userId: userId, orderId: orderId, writes: writes, marker: last)
    }

    /// The addition's plan is in the batch: later commands see its order.
    func staged(_ addition: Addition) {
        if let marker = addition.marker {
            pending.removeAll(keepingCapacity: true)
            pendingCount = 0
            self.marker = marker
            needsMarker = false
        }
        pending[addition.userId, default: []].append(addition.orderId)
        pendingCount += 1
    }

    /// A batch failed: what is in memory may include its orders; reload from the table and the
    /// log at the next use.
    func reset() {
        marker = nil
        needsMarker = false
        pending.removeAll()
        pendingCount = 0
    }

    private func load(_ context: WriteContext) throws {
        guard marker == nil else { return }
        guard let stored = try context.sideTableValue(SideTables.userOrders, key: Self.markerKey), let through = BigEndian.uint64(stored) else {
            marker = context.lastPosition
            needsMarker = true
            return
        }
        // All or nothing: a scan that throws leaves the index unloaded, to be tried again.
        var found: [String: [String]] = [:]
        var count = 0
        try context.forEachRecord(from: through + 1) { recorded in
            guard recorded.type == Order.Placed.typeName,
                  case .order(.placed(let placed)) = try DomainEvent.decode(type: recorded.type, data: recorded.data) else { return }
            found[placed.userId, default: []].append(placed.orderId)
            count += 1
        }
        pending = found
        pendingCount = count
        marker = through
    }
}
