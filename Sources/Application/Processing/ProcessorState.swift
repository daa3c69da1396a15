import Domain
import EventStore

/// Everything the command processor keeps between commands, owned by the writer thread.
///
/// `@unchecked Sendable` because the EventStore runs every decide step and every hook on its
/// single writer thread, one after another; nothing here is touched from anywhere else.
final class ProcessorState: @unchecked Sendable {
    let cache: StateCache
    /// Units per sku in each buyer's live orders (a derived view; rebuilt on a miss), for the
    /// buyers seen lately: bounded like the state cache, or a shop with millions of buyers would
    /// keep every one of them.
    let purchases: LRUCache<String, [String: Int]>
    /// Each buyer's orders, written behind the log.
    let userOrders: UserOrderIndex
    /// Long streams get a snapshot every this many events.
    let snapshotInterval: UInt64

    init(cacheCapacity: Int, snapshotInterval: UInt64, userOrderFlushThreshold: Int) {
        cache = StateCache(capacity: cacheCapacity)
        purchases = LRUCache(capacity: cacheCapacity)
        userOrders = UserOrderIndex(flushThreshold: userOrderFlushThreshold)
        self.snapshotInterval = snapshotInterval
    }

    /// A batch failed: drop what its commands derived.
    func forget(streams: [String], users: [String]) {
        for stream in streams { cache.evict(stream) }
        for user in users { purchases.remove(user) }
        userOrders.reset()
    }
}
