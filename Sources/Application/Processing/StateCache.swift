import EventStore

/// The writer's in-memory states, by stream id: what makes a hot sku cheap (no reload, no
/// conflict). Touched only on the writer thread.
///
/// Bounded: past `capacity` entries, the least recently used one goes (its state reloads from a
/// snapshot and the events after it).
final class StateCache {
    private struct Entry {
        var version: UInt64
        /// A `StateBox` of the stream's aggregate state.
        var state: AnyObject
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
        guard let (entry, slot) = entries.getWithSlot(streamId), let state = StateBox<S>.unbox(entry.state) else { return nil }
        return (entry.version, state, entry.snapshotVersion, slot)
    }

    /// `slot` (from `get`) saves hashing the stream id again when it still holds that stream.
    ///
    /// Not generic: a staged command hands over the boxes it already holds, so a state is
    /// neither copied nor boxed again on its way into the cache.
    func put(_ streamId: String, version: UInt64, state: AnyObject, snapshotVersion: UInt64, slot: Int32? = nil) {
        entries.set(streamId, Entry(version: version, state: state, snapshotVersion: snapshotVersion), hint: slot)
    }

    func evict(_ streamId: String) {
        entries.remove(streamId)
    }

    func removeAll() {
        entries.removeAll()
    }
}

/// A stream's state held by reference: the writer hands it from a staged command to the cache
/// as it is, and takes it back out after comparing its class by identity. Held as `Any`, each
/// state went into an existential box of its own and came out through a dynamic cast (`as? S`,
/// copying it through the runtime's generic value witnesses): ~2 % of the writer under orders.
final class StateBox<S> {
    let state: S

    init(_ state: S) {
        self.state = state
    }

    /// `object`'s state when it is a box of `S`.
    static func unbox(_ object: AnyObject) -> S? {
        guard ObjectIdentifier(type(of: object)) == ObjectIdentifier(StateBox<S>.self) else { return nil }
        return unsafeDowncast(object, to: StateBox<S>.self).state
    }
}
