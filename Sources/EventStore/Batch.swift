import CanonicalJSON
import CryptoPrimitives
import LMDB

/// One round of a group commit as the writer stages it job by job: decide steps read through `reads`
/// (the last commit plus everything staged since), and what they decide goes into `staged`,
/// which the committer writes in one transaction.
struct Batch {
    let reads: StagedReads
    let staged: StagedBatch
    var layout: StoreLayout { reads.layout }
    var batchMillis: Int64 { staged.batchMillis }
    let at: String
    let hasher: SHA256.Hasher
    /// Heads of streams the writer has seen, so a busy stream is not looked up in the B-tree on
    /// every append. Cleared whenever a batch fails.
    let heads: HeadCache
    private(set) var nextPosition: UInt64
    private(set) var lastHash: [UInt8]
    var eventCount: Int { staged.eventCount }
    /// Each append's stream head before this plan, and where the head cache holds it.
    private var priorHeads: [(head: StreamHead?, slot: Int32?)] = []

    /// One round of jobs staged into `staged`, which ends at `nextPosition` (chain at `lastHash`).
    init(reads: StagedReads, staged: StagedBatch, nextPosition: UInt64, lastHash: [UInt8], hasher: SHA256.Hasher, heads: HeadCache) {
        self.reads = reads
        self.staged = staged
        self.hasher = hasher
        self.heads = heads
        self.at = RFC3339.format(millis: staged.batchMillis)
        self.nextPosition = nextPosition
        self.lastHash = lastHash
    }

    var context: WriteContext { WriteContext(batch: self) }

/// Checks every expected version of `plan`, then writes all of it.
    ///
    /// Validation errors (`EventStoreError`) are thrown before anything is written, so they
    /// fail only their job; errors while writing (`LMDBError`) fail the batch.
    mutating func stage(_ plan: WritePlan) throws -> AppendOutcome {
        priorHeads.removeAll(keepingCapacity: true)
        for (index, append) in plan.appends.enumerated() {
            try StreamName.validate(append.streamId)
            for earlier in plan.appends[..<index] where earlier.streamId == append.streamId {
                throw EventStoreError.invalidArgument("stream \(append.streamId) appears twice in one append")
            }
            let (head, slot) = try headWithSlot(of: append.streamId)
            guard append.expectedVersion.admits(head?.version) else {
                throw EventStoreError.versionConflict(streamId: append.streamId, expected: append.expectedVersion, actual: head?.version)
            }
            priorHeads.append((head, slot))
        }
        for write in plan.sideTableWrites where layout.sideTables[write.table] == nil {
            throw EventStoreError.invalidArgument("no side table \(write.table)")
        }

        var firstPosition: UInt64?
        var versions: [UInt64] = []
        versions.reserveCapacity(plan.appends.count)
        for (append, prior) in zip(plan.appends, priorHeads) {
            var version = prior.head?.version ?? 0
            for event in append.events {
                version += 1
                let position = nextPosition
                let handed = HandedEvent(position: position, streamId: append.streamId, version: version, type: event.type,
                                         atMillis: batchMillis, attachment: event.attachment)
                staged.appendRecord(handed) { records in
                    RecordCodec.encode(
                        position: position, streamId: append.streamId, version: version, type: event.type, at: at,
                        canonicalData: event.canonicalData, metadata: event.metadata, chain: &lastHash, hasher: hasher, appendingTo: &records)
                }
                firstPosition = firstPosition ?? position
                nextPosition += 1
            }
            versions.append(version)
            if !append.events.isEmpty {
                let head = StreamHead(version: version, position: nextPosition - 1)
                heads.set(append.streamId, head, hint: prior.slot)
                staged.setHead(head, of: append.streamId)
            }
        }
        for snapshot in plan.snapshots {
            var value = BigEndian.bytes(snapshot.version)
            value.append(contentsOf: snapshot.state)
            staged.putSnapshot(streamId: snapshot.streamId, value: value)
        }
        for write in plan.sideTableWrites {
            guard let db = layout.sideTables[write.table] else { continue }
            staged.append(write, to: db)
        }

        let lastPosition: UInt64
        if firstPosition != nil {
            lastPosition = nextPosition - 1
        } else if let addressed = plan.addressedStream {
            lastPosition = try head(of: addressed)?.position ?? 0
        } else {
            lastPosition = 0
        }
        return AppendOutcome(firstPosition: firstPosition, lastPosition: lastPosition, appends: plan.appends, newVersions: versions, at: at)
    }

    /// The stream's head as of this batch: from the cache, else from the index.
    func head(of streamId: String) throws -> StreamHead? {
        try headWithSlot(of: streamId).head
    }

    /// The head, and where the cache holds it (for setting the next one without hashing the
    /// stream id again).
    private func headWithSlot(of streamId: String) throws -> (head: StreamHead?, slot: Int32?) {
        if let (cached, slot) = heads.getWithSlot(streamId) { return (cached, slot) }
        let head = try reads.head(of: streamId)
        if let head { heads.set(streamId, head) }
        return (head, nil)
    }

    func idempotencyEntry(for key: String) throws -> IdempotencyEntry? {
        try reads.idempotencyEntry(for: key)
    }

    func remember(_ entry: IdempotencyEntry, key: String) {
        staged.remember(key: key, entry: entry.encoded(),
                        expiryKey: IdempotencyEntry.expiryKey(createdAtMillis: entry.createdAtMillis, key: Array(key.utf8)))
    }
}

/// The writer's cache of stream heads. Touched only by the writer thread; bounded, the least
/// recently used head going first (heads are cheap to look up again).
final class HeadCache {
    private let heads: LRUCache<String, StreamHead>

    init(capacity: Int = 200_000) {
        heads = LRUCache(capacity: capacity)
    }

    func getWithSlot(_ streamId: String) -> (value: StreamHead, slot: Int32)? { heads.getWithSlot(streamId) }

    func set(_ streamId: String, _ head: StreamHead, hint: Int32? = nil) { heads.set(streamId, head, hint: hint) }

    func clear() { heads.removeAll() }
}
