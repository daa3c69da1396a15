import CanonicalJSON
import CryptoPrimitives
import LMDB

/// The write transaction of one group commit, as the writer fills it job by job.
struct Batch {
    let transaction: Transaction
    let layout: StoreLayout
    let batchMillis: Int64
    let at: String
    let hasher: SHA256.Hasher
    /// Heads of streams the writer has seen, so a busy stream is not looked up in the B-tree on
    /// every append. Cleared whenever a batch fails.
    let heads: HeadCache
    private(set) var nextPosition: UInt64
    private(set) var lastHash: [UInt8]
    /// Every event staged so far, for the commit feed.
    private(set) var handed: [HandedEvent] = []
    var eventCount: Int { handed.count }

    init(transaction: Transaction, layout: StoreLayout, batchMillis: Int64, nextPosition: UInt64, lastHash: [UInt8],
         hasher: SHA256.Hasher, heads: HeadCache) {
        self.transaction = transaction
        self.hasher = hasher
        self.heads = heads
        self.layout = layout
        self.batchMillis = batchMillis
        self.at = RFC3339.format(millis: batchMillis)
        self.nextPosition = nextPosition
        self.lastHash = lastHash
    }

    var context: WriteContext { WriteContext(batch: self) }

    /// Checks every expected version of `plan`, then writes all of it.
    ///
    /// Validation errors (`EventStoreError`) are thrown before anything is written, so they
    /// fail only their job; errors while writing (`LMDBError`) fail the batch.
    mutating func stage(_ plan: WritePlan) throws -> AppendOutcome {
        var current: [StreamHead?] = []
        current.reserveCapacity(plan.appends.count)
        for (index, append) in plan.appends.enumerated() {
            try StreamName.validate(append.streamId)
            for earlier in plan.appends[..<index] where earlier.streamId == append.streamId {
                throw EventStoreError.invalidArgument("stream \(append.streamId) appears twice in one append")
            }
            let head = try self.head(of: append.streamId)
            guard append.expectedVersion.admits(head?.version) else {
                throw EventStoreError.versionConflict(streamId: append.streamId, expected: append.expectedVersion, actual: head?.version)
            }
            current.append(head)
        }
        for write in plan.sideTableWrites where layout.sideTables[write.table] == nil {
            throw EventStoreError.invalidArgument("no side table \(write.table)")
        }

        var firstPosition: UInt64?
        var versions: [String: UInt64] = [:]
        for (append, head) in zip(plan.appends, current) {
            var version = head?.version ?? 0
            for event in append.events {
                version += 1
                let position = nextPosition
                let encoded = RecordCodec.encode(
                    position: position, streamId: append.streamId, version: version, type: event.type, at: at,
                    canonicalData: event.canonicalData, metadata: event.metadata, prevHash: lastHash, hasher: hasher)
                try BigEndian.withBytes(position) { positionBytes in
                    try encoded.bytes.withUnsafeBytes { record in try transaction.put(layout.log, positionBytes, record, flags: .append) }
                    try StoreLayout.streamKey(append.streamId, version: version).withUnsafeBytes { key in
                        try transaction.put(layout.streams, key, positionBytes)
                    }
                }
                firstPosition = firstPosition ?? position
                handed.append(HandedEvent(position: position, streamId: append.streamId, version: version, type: event.type,
                                          atMillis: batchMillis, attachment: event.attachment))
                lastHash = encoded.hash
                nextPosition += 1
            }
            versions[append.streamId] = version
            if !append.events.isEmpty { heads.set(append.streamId, StreamHead(version: version, position: nextPosition - 1)) }
        }
        for snapshot in plan.snapshots {
            var value = BigEndian.bytes(snapshot.version)
            value.append(contentsOf: snapshot.state)
            try transaction.put(layout.snapshots, Array(snapshot.streamId.utf8), value)
        }
        for write in plan.sideTableWrites {
            guard let db = layout.sideTables[write.table] else { continue }
            switch write.operation {
            case .put(let value): try transaction.put(db, write.key, value)
            case .delete: try transaction.delete(db, write.key)
            case .deletePrefix:
                try transaction.withCursor(db) { cursor in
                    while let entry = write.key.isEmpty ? try cursor.first() : try cursor.seek(atLeast: write.key),
                          entry.key.hasPrefix(write.key) {
                        try cursor.deleteCurrent()
                    }
                }
            }
        }

        let lastPosition: UInt64
        if firstPosition != nil {
            lastPosition = nextPosition - 1
        } else if let addressed = plan.addressedStream {
            lastPosition = try head(of: addressed)?.position ?? 0
        } else {
            lastPosition = 0
        }
        return AppendOutcome(firstPosition: firstPosition, lastPosition: lastPosition, versions: versions, at: at)
    }

    /// The stream's head as of this batch: from the cache, else from the index.
    func head(of streamId: String) throws -> StreamHead? {
        if let cached = heads.get(streamId) { return cached }
        let head = try StoreReads.head(of: streamId, transaction: transaction, layout: layout)
        if let head { heads.set(streamId, head) }
        return head
    }

    func idempotencyEntry(for key: String) throws -> IdempotencyEntry? {
        guard let bytes = try transaction.get(layout.idempotency, Array(key.utf8)) else { return nil }
        return IdempotencyEntry(bytes)
    }

    func remember(_ entry: IdempotencyEntry, key: String) throws {
        let keyBytes = Array(key.utf8)
        try transaction.put(layout.idempotency, keyBytes, entry.encoded())
        try transaction.put(layout.idempotencyByTime, IdempotencyEntry.expiryKey(createdAtMillis: entry.createdAtMillis, key: keyBytes), [])
    }

    /// Forgets up to `limit` remembered responses created before `cutoffMillis`.
    func purgeIdempotency(before cutoffMillis: Int64, limit: Int) throws {
        let cutoff = BigEndian.bytes(UInt64(bitPattern: cutoffMillis))
        var purged = 0
        try transaction.withCursor(layout.idempotencyByTime) { cursor in
            while purged < limit, let entry = try cursor.first(), entry.key.count > 8,
                  [UInt8](UnsafeRawBufferPointer(rebasing: entry.key[0..<8])).lexicographicallyPrecedes(cutoff) {
                let key = [UInt8](UnsafeRawBufferPointer(rebasing: entry.key[8...]))
                try cursor.deleteCurrent()
                try transaction.delete(layout.idempotency, key)
                purged += 1
            }
        }
    }
}

/// The writer's cache of stream heads. Touched only by the writer thread; bounded, the least
/// recently used head going first (heads are cheap to look up again).
final class HeadCache {
    private let heads: LRUCache<String, StreamHead>

    init(capacity: Int = 200_000) {
        heads = LRUCache(capacity: capacity)
    }

    func get(_ streamId: String) -> StreamHead? { heads.get(streamId) }

    func set(_ streamId: String, _ head: StreamHead) { heads.set(streamId, head) }

    func clear() { heads.removeAll() }
}
