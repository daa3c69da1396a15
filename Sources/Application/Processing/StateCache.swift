import EventStore

/// The writer's in-memory states, by stream id: what makes a hot sku cheap (no reload, no
/// conflict). Touched only on the writer thread.
///
/// Bounded: past `capacity` entries, the least recently used one goes (its state reloads from a
/// snapshot and the events after it).
final class StateCache {
    private struct Entry {
        var version: UInt64
        var state: Any
        /// The version of the last snapshot written, so snapshots come every N events.
        var snapshotVersion: UInt64
    }

    private let entries: LRUCache<String, Entry>

    init(capacity: Int = 100_000) {
        entries = LRUCache(capacity: capacity)
    }

    var capacity: Int { entries.capacity }
    var count: Int { entries.count }

    /// The stream's cached state, and the slot to hand `put` when storing its next one.
    func get<S>(_ streamId: String, as type: S.Type) -> (version: UInt64, state: S, snapshotVersion: UInt64, slot: Int32)? {
        guard let (entry, slot) = entries.getWithSlot(streamId), let state = entry.state as? S else { return nil }
        return (entry.version, state, entry.snapshotVersion, slot)
    }

    /// `slot` (from `get`) saves hashing the stream id again when it still holds that stream.
    ///
    /// Not generic: a staged command hands over states it already holds as `Any`, and a generic
    /// `S` (bound to `Any`) boxed each again — an allocation and a copy of the state (an order's
    /// is a dozen references) per stream per command.
    func put(_ streamId: String, version: UInt64, state: Any, snapshotVersion: UInt64, slot: Int32? = nil) {
        entries.set(streamId, Entry(version: version, state: state, snapshotVersion: snapshotVersion), hint: slot)
    }

    func evict(_ streamId: String) {
        entries.remove(streamId)
    }

    func removeAll() {
        entries.removeAll()
    }
}
