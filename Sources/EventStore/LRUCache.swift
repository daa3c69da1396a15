/// A bounded map that forgets its least recently used entry, one at a time, in O(1).
///
/// Why not "drop the oldest half when full": on the writer thread that was a sort of 100,000
/// entries and 50,000 deallocations at once — a 50–150 ms stall every few seconds under load,
/// which every command queued behind it paid as tail latency. Here each insertion past the
/// capacity evicts exactly one entry.
///
/// Not thread-safe: one owner (the writer thread, or a lock) uses it.
///
/// Inlinable, so each user's module specializes it for its key and value types: unspecialized,
/// every call looked up generic metadata (`Optional<Value>`, the index's dictionary type) — a
/// quarter of the writer's insertions into its state cache.
public final class LRUCache<Key: Hashable, Value> {
    // One stored property, mutated through one access per call: a class's stored arrays are
    // checked for exclusive access at every element write, which was a sixth of the cost of a
    // writer-thread insertion.
    @usableFromInline var storage: LRUStorage<Key, Value>
    public let capacity: Int

    /// Storage for `capacity` entries is reserved at once: a dictionary that grows rehashes
    /// every key, and at 100,000 string keys that is a 60 ms pause of its owner.
    @inlinable
    public init(capacity: Int) {
        self.capacity = min(max(1, capacity), Int(Int32.max))
        storage = LRUStorage(capacity: self.capacity)
    }

    @inlinable
    public var count: Int { storage.index.count }

    /// The value for `key`, marking it the most recently used.
    @inlinable
    public func get(_ key: Key) -> Value? {
        storage.get(key)
    }

    /// Sets the value for `key`, evicting the least recently used entry when full.
    @inlinable
    public func set(_ key: Key, _ value: Value) {
        storage.set(key, value, capacity: capacity)
    }

    /// Like `get`, and tells the slot the entry sits in: a `set(_:_:hint:)` of the same key
    /// soon after (the writer reads a stream's state or head, then stores the new one) skips
    /// hashing the key again.
    @inlinable
    public func getWithSlot(_ key: Key) -> (value: Value, slot: Int32)? {
        storage.getWithSlot(key)
    }

    /// `set`, replacing in place when `hint` (from `getWithSlot`) still holds `key`; checked,
    /// since the slot may have been reused for another key since.
    @inlinable
    public func set(_ key: Key, _ value: Value, hint: Int32?) {
        storage.set(key, value, capacity: capacity, hint: hint)
    }

    @inlinable
    public func remove(_ key: Key) {
        storage.remove(key)
    }

    /// Removes every entry whose key matches (a scan: for rare events such as an erasure).
    @inlinable
    public func removeAll(where matches: (Key) -> Bool) {
        for key in storage.keys.compactMap({ $0 }).filter(matches) { storage.remove(key) }
    }

    @inlinable
    public func removeAll() {
        storage.removeAll()
    }
}

/// The cache's slots: entries live in arrays, linked by slot index, so a hit moves no memory;
/// the links live in their own small arrays, so moving an entry to the front touches eight
/// bytes per neighbour instead of whole entries.
///
/// The index maps a key's hash value (its fingerprint) to its slot, not the key itself: with
/// string keys, every eviction's deletion rehashed the neighbouring keys of its probe run —
/// each a cold heap string, retained and released — which made the writer's head cache a sixth
/// of its time when every append starts a stream. The key in the slot is compared on every
/// lookup, so two keys sharing a fingerprint only share a slot: the later one replaces the
/// earlier, which a cache may forget at any time.
@usableFromInline
struct LRUStorage<Key: Hashable, Value> {
    @usableFromInline var index: [Int: Int32] = [:]
    @usableFromInline var fingerprints: [Int] = []
    @usableFromInline var keys: [Key?] = []
    @usableFromInline var values: [Value?] = []
    @usableFromInline var newer: [Int32] = []
    @usableFromInline var older: [Int32] = []
    @usableFromInline var freeSlots: [Int32] = []
    @usableFromInline var newest: Int32 = -1
    @usableFromInline var oldest: Int32 = -1

    @inlinable
    init(capacity: Int) {
        index.reserveCapacity(capacity)
        fingerprints.reserveCapacity(capacity)
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        newer.reserveCapacity(capacity)
        older.reserveCapacity(capacity)
    }

    /// The slot holding `key`, if any.
    @inlinable
    func slot(of key: Key, fingerprint: Int) -> Int32? {
        guard let slot = index[fingerprint], keys[Int(slot)] == key else { return nil }
        return slot
    }

    @inlinable
    mutating func get(_ key: Key) -> Value? {
        guard let slot = slot(of: key, fingerprint: key.hashValue) else { return nil }
        moveToNewest(slot)
        return values[Int(slot)]
    }

    @inlinable
    mutating func getWithSlot(_ key: Key) -> (value: Value, slot: Int32)? {
        guard let slot = slot(of: key, fingerprint: key.hashValue), let value = values[Int(slot)] else { return nil }
        moveToNewest(slot)
        return (value, slot)
    }

    /// A slot holds `key` exactly when the index maps `key` to it (both change together), so
    /// comparing the key at the hinted slot is enough.
    @inlinable
    mutating func set(_ key: Key, _ value: Value, capacity: Int, hint: Int32?) {
        if let hint, hint >= 0, Int(hint) < keys.count, keys[Int(hint)] == key {
            values[Int(hint)] = value
            moveToNewest(hint)
            return
        }
        set(key, value, capacity: capacity)
    }

    @inlinable
    mutating func set(_ key: Key, _ value: Value, capacity: Int) {
        let fingerprint = key.hashValue
        if let slot = index[fingerprint] {
            // The key itself, or another with its fingerprint, which it replaces.
            if keys[Int(slot)] != key { keys[Int(slot)] = key }
            values[Int(slot)] = value
            moveToNewest(slot)
            return
        }
        let slot: Int32
        if index.count >= capacity, oldest >= 0 {
            slot = oldest
            unlink(slot)
            index.removeValue(forKey: fingerprints[Int(slot)])
            fingerprints[Int(slot)] = fingerprint
            keys[Int(slot)] = key
            values[Int(slot)] = value
        } else if let reused = freeSlots.popLast() {
            slot = reused
            fingerprints[Int(slot)] = fingerprint
            keys[Int(slot)] = key
            values[Int(slot)] = value
        } else {
            slot = Int32(keys.count)
            fingerprints.append(fingerprint)
            keys.append(key)
            values.append(value)
            newer.append(-1)
            older.append(-1)
        }
        index[fingerprint] = slot
        linkAsNewest(slot)
    }

    @inlinable
    mutating func remove(_ key: Key) {
        let fingerprint = key.hashValue
        guard let slot = slot(of: key, fingerprint: fingerprint) else { return }
        index.removeValue(forKey: fingerprint)
        unlink(slot)
        keys[Int(slot)] = nil
        values[Int(slot)] = nil
        freeSlots.append(slot)
    }

    @inlinable
    mutating func removeAll() {
        index.removeAll(keepingCapacity: true)
        fingerprints.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        newer.removeAll(keepingCapacity: true)
        older.removeAll(keepingCapacity: true)
        freeSlots.removeAll()
        newest = -1
        oldest = -1
    }

    @inlinable
    mutating func moveToNewest(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    @inlinable
    mutating func unlink(_ slot: Int32) {
        let i = Int(slot)
        let n = newer[i], o = older[i]
        if n >= 0 { older[Int(n)] = o } else { newest = o }
        if o >= 0 { newer[Int(o)] = n } else { oldest = n }
        newer[i] = -1
        older[i] = -1
    }

    @inlinable
    mutating func linkAsNewest(_ slot: Int32) {
        let i = Int(slot)
        older[i] = newest
        newer[i] = -1
        if newest >= 0 { newer[Int(newest)] = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
