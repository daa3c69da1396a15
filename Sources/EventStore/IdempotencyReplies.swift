import LMDB

/// How remembered replies are stored (`idempotency-replies` and `idempotency-by-time`, both
/// keyed `createdAt ms ‖ caller-scoped key`), found (`IdempotencyIndex` names the candidate
/// times) and moved from format 1, which keyed them by the client's key alone.
extension StoreLayout {
    /// The reply table, which every writable store has.
    func replies() throws(EventStoreError) -> Database {
        guard let idempotencyReplies else {
            throw .invalidArgument("this log keeps no remembered replies (a format-1 log opened read-only)")
        }
        return idempotencyReplies
    }

    /// The key of a reply, and of its expiry entry.
    static func replyKey(createdAtMillis: Int64, key: [UInt8]) -> [UInt8] {
        var out = BigEndian.bytes(UInt64(bitPattern: createdAtMillis))
        out.append(contentsOf: key)
        return out
    }

    /// `key`'s reply as `transaction` sees it, trying each time the index names.
    func reply(for key: [UInt8], at times: [Int64], in transaction: Transaction) throws -> IdempotencyEntry? {
        guard !times.isEmpty else { return nil }
        let table = try replies()
        for time in times {
            if let bytes = try transaction.get(table, Self.replyKey(createdAtMillis: time, key: key)), let entry = IdempotencyEntry(bytes) {
                return entry
            }
        }
        return nil
    }

    /// Moves a format-1 log's replies from `legacy` (keyed by the client's key) into
    /// `idempotency-replies` and drops `legacy`, inside the caller's write transaction. Their
    /// expiry entries are already keyed by time. An unreadable reply is left behind, as format 1
    /// treated it: as never remembered. Returns how many moved.
    func migrateIdempotency(from legacy: Database, _ transaction: Transaction) throws -> Int {
        let table = try replies()
        var moved = 0
        try transaction.withCursor(legacy) { cursor in
            var current = try cursor.first()
            while let entry = current {
                if let decoded = IdempotencyEntry(entry.value) {
                    try transaction.put(table, Self.replyKey(createdAtMillis: decoded.createdAtMillis, key: [UInt8](entry.key)), [UInt8](entry.value))
                    moved += 1
                }
                current = try cursor.next()
            }
        }
        try transaction.drop(legacy, delete: true)
        return moved
    }
}

extension IdempotencyIndex {
    /// Hints every reply `idempotency-by-time` lists (its keys only: ~70 bytes an entry, where
    /// the replies themselves are ~1.5 KB).
    func load(from transaction: Transaction, layout: StoreLayout) throws {
        try transaction.withCursor(layout.idempotencyByTime) { cursor in
            var current = try cursor.first()
            while let entry = current {
                insert(timedKey: entry.key)
                current = try cursor.next()
            }
        }
    }

    /// Hints (or forgets, below) the reply under `createdAt ms ‖ key`; shorter keys name none.
    func insert(timedKey: UnsafeRawBufferPointer) {
        guard let (key, createdAt) = split(timedKey) else { return }
        insert(key, createdAt: createdAt)
    }

    func remove(timedKey: [UInt8]) {
        guard let (key, createdAt) = timedKey.withUnsafeBytes({ split($0) }) else { return }
        remove(key, createdAt: createdAt)
    }

    /// `createdAt ms ‖ key` taken apart: the key (hashed) and its time.
    private func split(_ timedKey: UnsafeRawBufferPointer) -> (Key, Int64)? {
        guard timedKey.count > 8, let createdAt = BigEndian.uint64(timedKey) else { return nil }
        return (key([UInt8](UnsafeRawBufferPointer(rebasing: timedKey[8...]))), Int64(bitPattern: createdAt))
    }
}
