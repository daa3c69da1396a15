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

    func get<S>(_ streamId: String, as type: S.Type) -> (version: UInt64, state: S, snapshotVersion: UInt64)? {
        guard let entry = entries.get(streamId), let state = entry.state as? S else { return nil }
        return (entry.version, state, entry.snapshotVersion)
    }

    /// The version of the stream's last snapshot, without reading its state.
    func snapshotVersion(of streamId: String) -> UInt64? {
        entries.get(streamId)?.snapshotVersion
    }

    func put<S>(_ streamId: String, version: UInt64, state: S, snapshotVersion: UInt64) {
        entries.set(streamId, Entry(version: version, state: state, snapshotVersion: snapshotVersion))
    }

    func evict(_ streamId: String) {
        entries.remove(streamId)
    }

    func removeAll() {
        entries.removeAll()
    }
}
