/// The writer's in-memory states, by stream id: what makes a hot sku cheap (no reload, no
/// conflict). Touched only on the writer thread.
///
/// Bounded: past `capacity` entries, the least recently used half goes (states reload from a
/// snapshot and the events after it).
final class StateCache {
    /// A class so a hit only bumps `lastUsed` in place, without rewriting the dictionary.
    final class Entry {
        var version: UInt64
        var state: Any
        /// The version of the last snapshot written, so snapshots come every N events.
        var snapshotVersion: UInt64
        var lastUsed: UInt64

        init(version: UInt64, state: Any, snapshotVersion: UInt64, lastUsed: UInt64) {
            self.version = version
            self.state = state
            self.snapshotVersion = snapshotVersion
            self.lastUsed = lastUsed
        }
    }

    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    func get<S>(_ streamId: String, as type: S.Type) -> (version: UInt64, state: S, snapshotVersion: UInt64)? {
        guard let entry = entries[streamId], let state = entry.state as? S else { return nil }
        clock += 1
        entry.lastUsed = clock
        return (entry.version, state, entry.snapshotVersion)
    }

    func put<S>(_ streamId: String, version: UInt64, state: S, snapshotVersion: UInt64) {
        clock += 1
        if let entry = entries[streamId] {
            entry.version = version
            entry.state = state
            entry.snapshotVersion = snapshotVersion
            entry.lastUsed = clock
        } else {
            entries[streamId] = Entry(version: version, state: state, snapshotVersion: snapshotVersion, lastUsed: clock)
        }
        if entries.count > capacity { evictOldestHalf() }
    }

    func evict(_ streamId: String) {
        entries.removeValue(forKey: streamId)
    }

    func removeAll() {
        entries.removeAll()
    }

    private func evictOldestHalf() {
        let sorted = entries.map { ($0.key, $0.value.lastUsed) }.sorted { $0.1 < $1.1 }
        for (key, _) in sorted.prefix(entries.count / 2) { entries.removeValue(forKey: key) }
    }
}
