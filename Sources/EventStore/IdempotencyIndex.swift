import Synchronization

/// Where each remembered idempotency key's reply is: an in-memory map from a 64-bit hash of
/// the key to the time the reply was stored, which with the key itself is the reply's LMDB key
/// (`createdAt ‖ key` in `idempotency-replies`).
///
/// Why in memory: clients make their keys at random (UUIDs), and a B-tree keyed by them takes
/// each new key at a random leaf — one more 4 KiB page to copy, write and flush per keyed
/// command. Keyed by time, the replies are appended where the last ones went. Measured over
/// HTTP (hot-sku orders, a fresh random key each): the writer spent ~50 µs per order against
/// ~37 with keys that happened to sort together (journal, 2026-11-28).
///
/// The map is a hint, never the truth: a lookup confirms every candidate against the table,
/// so an entry left behind by a failed batch only costs a miss. What it must never do is lack
/// a key the table holds: `insert` runs when a reply is staged (before its commit), the store
/// fills the map from `idempotency-by-time` when it opens, and a key is dropped only once its
/// purge is committed. Two keys whose hashes collide keep both times (`more`). The hash is
/// Swift's `Hasher`, seeded at random per process, so no client can aim keys at one slot.
///
/// Memory: 36–48 bytes per key remembered (a hash table of 16-byte entries at most three
/// quarters full; measured at 1M and 700k keys), kept for the retention of 25 h.
final class IdempotencyIndex: Sendable {
    private struct Slots {
        var first: [UInt64: Int64] = [:]
        /// Further times for a hash whose `first` time belongs to another key (rare).
        var more: [UInt64: [Int64]] = [:]
    }

    private let slots = Mutex(Slots())
    private let hash: @Sendable (UnsafeRawBufferPointer) -> UInt64

    /// `hash` is for tests that need collisions; the default is `Hasher`'s.
    init(hash: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64 = IdempotencyIndex.randomlySeededHash) {
        self.hash = hash
    }

    static func randomlySeededHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// A key's bytes with their hash, made once per command: the writer looks a key up and then
    /// remembers it, and would otherwise convert and hash it twice.
    struct Key {
        let bytes: [UInt8]
        fileprivate let slot: UInt64
    }

    func key(_ bytes: [UInt8]) -> Key {
        Key(bytes: bytes, slot: bytes.withUnsafeBytes { hash($0) })
    }

    func key(_ string: String) -> Key {
        key(Array(string.utf8))
    }

    /// The times at which `key` may have been stored: empty when it never was (the common case
    /// of a fresh key, answered without touching LMDB).
    func candidates(for key: Key) -> [Int64] {
        let slot = key.slot
        return slots.withLock { slots in
            guard let first = slots.first[slot] else { return [] }
            guard let more = slots.more[slot] else { return [first] }
            return [first] + more
        }
    }

    /// `key`'s reply is stored (or staged) under `createdAt`.
    func insert(_ key: Key, createdAt: Int64) {
        let slot = key.slot
        slots.withLock { slots in
            guard let first = slots.first[slot] else {
                slots.first[slot] = createdAt
                return
            }
            // Keys of one time share it: the table tells them apart by the key.
            guard first != createdAt, slots.more[slot]?.contains(createdAt) != true else { return }
            slots.more[slot, default: []].append(createdAt)
        }
    }

    /// Forgets `createdAt` for `key`'s hash, once its reply's purge is committed. Another key of
    /// the same hash and time loses its hint too — it was stored at the same time, so it is as
    /// old and purged in the same sweep or the next.
    func remove(_ key: Key, createdAt: Int64) {
        let slot = key.slot
        slots.withLock { slots in
            if slots.first[slot] == createdAt {
                if var more = slots.more[slot], !more.isEmpty {
                    slots.first[slot] = more.removeFirst()
                    slots.more[slot] = more.isEmpty ? nil : more
                } else {
                    slots.first[slot] = nil
                }
            } else if var more = slots.more[slot], let index = more.firstIndex(of: createdAt) {
                more.remove(at: index)
                slots.more[slot] = more.isEmpty ? nil : more
            }
        }
    }

    /// Keys (counting hash-and-time pairs) currently hinted.
    var count: Int {
        slots.withLock { $0.first.count + $0.more.values.reduce(0) { $0 + $1.count } }
    }
}
