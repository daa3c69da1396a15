/// A bounded map that forgets its least recently used entry, one at a time, in O(1).
///
/// Why not "drop the oldest half when full": on the writer thread that was a sort of 100,000
/// entries and 50,000 deallocations at once — a 50–150 ms stall every few seconds under load,
/// which every command queued behind it paid as tail latency. Here each insertion past the
/// capacity evicts exactly one entry.
///
/// Not thread-safe: one owner (the writer thread) uses it. Nodes live in one array, linked by
/// index, so a hit moves no memory and retains nothing.
public final class LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var newest = -1
    private var oldest = -1
    public let capacity: Int

    /// Storage for `capacity` entries is reserved at once: a dictionary that grows rehashes
    /// every key, and at 100,000 string keys that is a 60 ms pause of its owner.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        index.reserveCapacity(self.capacity)
        nodes.reserveCapacity(self.capacity)
    }

    public var count: Int { index.count }

    /// The value for `key`, marking it the most recently used.
    public func get(_ key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToNewest(slot)
        return nodes[slot].value
    }

    /// Applies `update` to the value for `key` in place (marking it the most recently used);
    /// false when `key` is absent.
    public func update(_ key: Key, _ update: (inout Value) -> Void) -> Bool {
        guard let slot = index[key] else { return false }
        update(&nodes[slot].value)
        moveToNewest(slot)
        return true
    }

    /// Sets the value for `key`, evicting the least recently used entry when full.
    public func set(_ key: Key, _ value: Value) {
        if let slot = index[key] {
            nodes[slot].value = value
            moveToNewest(slot)
            return
        }
        let slot: Int
        if index.count >= capacity, oldest >= 0 {
            slot = oldest
            unlink(slot)
            index.removeValue(forKey: nodes[slot].key)
            nodes[slot] = Node(key: key, value: value, newer: -1, older: -1)
        } else if let reused = freeSlots.popLast() {
            slot = reused
            nodes[slot] = Node(key: key, value: value, newer: -1, older: -1)
        } else {
            slot = nodes.count
            nodes.append(Node(key: key, value: value, newer: -1, older: -1))
        }
        index[key] = slot
        linkAsNewest(slot)
    }

    public func remove(_ key: Key) {
        guard let slot = index.removeValue(forKey: key) else { return }
        unlink(slot)
        freeSlots.append(slot)
    }

    /// Removes every entry whose key matches (a scan: for rare events such as an erasure).
    public func removeAll(where matches: (Key) -> Bool) {
        for key in index.keys.filter(matches) { remove(key) }
    }

    public func removeAll() {
        index.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
        freeSlots.removeAll()
        newest = -1
        oldest = -1
    }

    private func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private func unlink(_ slot: Int) {
        let newer = nodes[slot].newer, older = nodes[slot].older
        if newer >= 0 { nodes[newer].older = older } else { newest = older }
        if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private func linkAsNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest >= 0 { nodes[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
