import LMDB

/// A batch's side of idempotency: finding a key's remembered reply (including one staged
/// earlier in this batch), remembering one, and purging expired ones.
extension Batch {
    /// An idempotency key must have one of `StoreLayout.idempotencyKeyBytes`' lengths.
    func checkIdempotencyKey(_ key: String) throws(EventStoreError) {
        let sizes = layout.idempotencyKeyBytes
        guard sizes.contains(key.utf8.count) else {
            throw .invalidArgument("idempotency key of \(key.utf8.count) bytes (\(sizes.lowerBound)–\(sizes.upperBound) allowed)")
        }
    }

    func idempotencyEntry(for key: IdempotencyIndex.Key) throws -> IdempotencyEntry? {
        try layout.reply(for: key.bytes, at: idempotency.candidates(for: key), in: transaction)
    }

    /// Stores the reply and hints it at once, so a later job of this batch with the same key
    /// finds it; should the batch fail, the hint points at nothing and costs only a miss.
    func remember(_ entry: IdempotencyEntry, key: IdempotencyIndex.Key) throws {
        let timed = StoreLayout.replyKey(createdAtMillis: entry.createdAtMillis, key: key.bytes)
        try transaction.put(try layout.replies(), timed, entry.encoded())
        try transaction.put(layout.idempotencyByTime, timed, [])
        idempotency.insert(key, createdAt: entry.createdAtMillis)
    }

    /// Forgets up to `limit` remembered replies created before `cutoffMillis` (their hints go
    /// once the batch is committed: `purgedReplies`).
    mutating func purgeIdempotency(before cutoffMillis: Int64, limit: Int) throws {
        let cutoff = BigEndian.bytes(UInt64(bitPattern: cutoffMillis))
        let table = try layout.replies()
        var purged: [[UInt8]] = []
        try transaction.withCursor(layout.idempotencyByTime) { cursor in
            while purged.count < limit, let entry = try cursor.first(), entry.key.count > 8,
                  [UInt8](UnsafeRawBufferPointer(rebasing: entry.key[0..<8])).lexicographicallyPrecedes(cutoff) {
                let timed = [UInt8](entry.key)
                try cursor.deleteCurrent()
                _ = try transaction.delete(table, timed)
                purged.append(timed)
            }
        }
        purgedReplies.append(contentsOf: purged)
    }
}
