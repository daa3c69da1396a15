import CanonicalJSON
import CryptoPrimitives
import LMDB

/// The write transaction of one group commit, as the writer fills it job by job.
struct Batch {
    /// What the batch reads, shared by reference with every decide step's `WriteContext`:
    /// handing a context this struct instead retained and released each of its arrays and
    /// objects once per job.
    let scope: BatchScope
    var transaction: Transaction { scope.transaction }
    var layout: StoreLayout { scope.layout }
    var batchMillis: Int64 { scope.batchMillis }
    let at: String
    /// `at` as a JSON string, quotes included, as every record of the batch carries it.
    let atJSON: [UInt8]
    let hasher: SHA256.Hasher
    private var heads: HeadCache { scope.heads }
    private(set) var nextPosition: UInt64
    private(set) var lastHash: [UInt8]
    /// `lastHash` in hex, as the next record's `prevHash` (see `RecordCodec.encode`).
    private var lastHashHex: [UInt8]
    /// Every event staged so far, for the commit feed.
    private(set) var handed: [HandedEvent] = []
    var eventCount: Int { handed.count }
    /// Where remembered replies are (`IdempotencyIndex`), shared with the store's readers.
    let idempotency: IdempotencyIndex
    /// The `idempotency-by-time` keys this batch purged: dropped from `idempotency` once the
    /// batch is committed (a key must stay hinted while its reply may still be in the table).
    var purgedReplies: [[UInt8]] = []
    /// Each append's stream head before this plan, and where the head cache holds it (reused
    /// from plan to plan).
    private var priorHeads: [(head: StreamHead?, slot: Int32?)] = []
    /// The database of each side-table write of the plan being staged, found when it is checked.
    private var sideTableDatabases: [Database] = []
    /// Whether a stream an append starts is indexed in this commit, or waits with the existing
    /// streams' entries (`PendingStreamIndex`). A batch of many jobs indexes them at once: new
    /// ids (orders, by ULID) sort after the last ones, so they share the leaf the batch's cursor
    /// stands on, and gathering them in memory cost more than it saved (appends at C = 256,
    /// each starting a stream: 42k–54k events/s against 58k–69k). A batch of a few pays the
    /// index's leaf and branch for them alone — two of the six pages a one-event commit writes —
    /// so they wait (C = 1: p50 −16 %).
    private let indexesNewStreamsAtOnce: Bool
    static let fewJobs = 8
    /// The record being written, one buffer for the whole batch (LMDB copies it into its page).
    private let record = RecordBuffer()

    init(transaction: Transaction, layout: StoreLayout, batchMillis: Int64, nextPosition: UInt64, lastHash: [UInt8],
         hasher: SHA256.Hasher, heads: HeadCache, pending: PendingStreamIndex, idempotency: IdempotencyIndex, jobs: Int = 0) {
        self.idempotency = idempotency
        self.scope = BatchScope(transaction: transaction, layout: layout, batchMillis: batchMillis, heads: heads, pending: pending)
        self.hasher = hasher
        let at = RFC3339.format(millis: batchMillis)
        self.at = at
        self.atJSON = BoundedWriter.bytes(sizeHint: 64) { $0.string(at) }
        self.nextPosition = nextPosition
        self.lastHash = lastHash
        self.lastHashHex = BoundedWriter.bytes(sizeHint: 2 * lastHash.count) { $0.hex(lastHash) }
        // At least an event a job: growing the array by doubling would copy it several times.
        handed.reserveCapacity(jobs)
        indexesNewStreamsAtOnce = jobs > Self.fewJobs
    }

    var context: WriteContext { WriteContext(scope: scope, lastPosition: nextPosition - 1) }

    /// Checks every expected version of `plan`, then writes all of it.
    ///
    /// Validation errors (`EventStoreError`) are thrown before anything is written, so they
    /// fail only their job; errors while writing (`LMDBError`) fail the batch.
    mutating func stage(_ plan: WritePlan) throws -> AppendOutcome {
        priorHeads.removeAll(keepingCapacity: true)
        sideTableDatabases.removeAll(keepingCapacity: true)
        // Every loop here goes by index and reads fields in place: `for x in array` copies
        // each element (a retain and a release of each of its strings, arrays and boxes): ~100
        // reference-count calls an order on the writer (callgrind), each an atomic operation.
        let appends = plan.appends
        for index in appends.indices {
            try StreamName.validate(appends[index].streamId)
            for earlier in 0..<index where appends[earlier].streamId == appends[index].streamId {
                throw EventStoreError.invalidArgument("stream \(appends[index].streamId) appears twice in one append")
            }
            let (head, slot) = try scope.headWithSlot(of: appends[index].streamId)
            guard appends[index].expectedVersion.admits(head?.version) else {
                throw EventStoreError.versionConflict(streamId: appends[index].streamId, expected: appends[index].expectedVersion,
                                                      actual: head?.version)
            }
            priorHeads.append((head, slot))
        }
        let writes = plan.sideTableWrites
        for index in writes.indices {
            guard let db = layout.sideTables[writes[index].table] else {
                throw EventStoreError.invalidArgument("no side table \(writes[index].table)")
            }
            // LMDB refuses a longer key only when it is put, failing the whole batch: refuse it
            // here, for this job alone.
            let sizes = writes[index].operation.isPrefixDeletion ? 0...layout.maxKeyBytes : 1...layout.maxKeyBytes
            guard sizes.contains(writes[index].key.count) else {
                throw EventStoreError.invalidArgument(
                    "side-table key of \(writes[index].key.count) bytes (\(sizes.lowerBound)–\(sizes.upperBound) allowed)")
            }
            sideTableDatabases.append(db)
        }
        for snapshot in plan.snapshots {
            try StreamName.validate(snapshot.streamId)
        }

        var firstPosition: UInt64?
        var firstVersion: UInt64 = 0
        var otherVersions: [UInt64] = []
        for number in appends.indices {
            let prior = priorHeads[number]
            var version = prior.head?.version ?? 0
            // A new stream's entries go straight into the index in a large batch; an existing
            // stream's wait for a flush (see `indexesNewStreamsAtOnce`).
            let indexedAtOnce = prior.head == nil && indexesNewStreamsAtOnce
            let streamId = appends[number].streamId
            let events = appends[number].events
            for index in events.indices {
                version += 1
                let position = nextPosition
                let stored = RecordCodec.encode(position: position, streamId: streamId, version: version, event: events[index], at: atJSON,
                                                chain: &lastHash, chainHex: &lastHashHex, hasher: hasher, into: record)
                try BigEndian.withBytes(position) { positionBytes in
                    try scope.appendToLog(positionBytes, stored)
                    if indexedAtOnce {
                        try StoreLayout.withStreamKey(streamId, version: version) { key in
                            try scope.putNewStreamIndexEntry(key, positionBytes)
                        }
                    }
                }
                if !indexedAtOnce {
                    scope.stageIndexEntry(streamId, version: version, position: position)
                }
                firstPosition = firstPosition ?? position
                handed.append(HandedEvent(position: position, streamId: streamId, version: version, type: events[index].type,
                                          atMillis: batchMillis, attachment: events[index].attachment))
                nextPosition += 1
            }
            if number == 0 {
                firstVersion = version
            } else {
                if otherVersions.isEmpty { otherVersions.reserveCapacity(appends.count - 1) }
                otherVersions.append(version)
            }
            // A stream this append started is not cached: most are written once (an append
            // starting a stream is how an order begins), and caching each one cost an insertion
            // and, once full, an eviction — cache misses into a table of megabytes. Its next
            // append finds the head among the index entries not yet flushed (this batch's
            // included) or in the index, and caches it then.
            if !events.isEmpty, prior.head != nil {
                heads.set(streamId, StreamHead(version: version, position: nextPosition - 1), hint: prior.slot)
            }
        }
        for snapshot in plan.snapshots {
            var value = BigEndian.bytes(snapshot.version)
            value.append(contentsOf: snapshot.state)
            try transaction.put(layout.snapshots, Array(snapshot.streamId.utf8), value)
        }
        for index in writes.indices {
            let db = sideTableDatabases[index]
            switch writes[index].operation {
            case .put(let value): try scope.sideTables.put(writes[index].key, value, in: db)
            case .delete: try transaction.delete(db, writes[index].key)
            case .deletePrefix:
                let prefix = writes[index].key
                try transaction.withCursor(db) { cursor in
                    while let entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atLeast: prefix), entry.key.hasPrefix(prefix) {
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
        return AppendOutcome(firstPosition: firstPosition, lastPosition: lastPosition, appends: plan.appends, firstNewVersion: firstVersion,
                             otherNewVersions: otherVersions, at: at)
    }

    /// The stream's head as of this batch: from the cache, else from the index.
    func head(of streamId: String) throws -> StreamHead? {
        try scope.headWithSlot(of: streamId).head
    }
}

/// The parts of a batch that stay put while it is filled: its transaction, its time and the
/// stream heads as the batch sees them. Touched only by the writer thread.
final class BatchScope {
    let transaction: Transaction
    let layout: StoreLayout
    let batchMillis: Int64
    /// Heads of streams the writer has seen, so a busy stream is not looked up in the B-tree on
    /// every append. Cleared whenever a batch fails.
    let heads: HeadCache
    /// Index entries of earlier batches that the `streams` database does not hold yet.
    let pending: PendingStreamIndex
    /// This batch's own index entries, by stream: added to `pending` once it commits (or
    /// written with it, when it flushes the index).
    private(set) var staged: [String: StreamRun] = [:]
    private(set) var stagedCount = 0
    /// One stream-index cursor for every head lookup of the batch; LMDB frees it when the
    /// transaction ends.
    private var streamIndex: Cursor?
    /// The cursor every record of the batch is appended through. LMDB's append through a
    /// cursor that already stands at the end of the log (as the last append left it) skips the
    /// descent from the root to the last leaf that each append with a fresh cursor makes.
    private var logEnd: Cursor?
    /// The side tables' cursors: their entries are mostly keyed by time or by id (deadlines,
    /// purchases), so each lands beside the last.
    var sideTables: WriteCursors

    init(transaction: Transaction, layout: StoreLayout, batchMillis: Int64, heads: HeadCache, pending: PendingStreamIndex) {
        self.transaction = transaction
        self.layout = layout
        self.batchMillis = batchMillis
        self.heads = heads
        self.pending = pending
        self.sideTables = WriteCursors(transaction)
    }

    /// The head as of this batch (from the cache, else from this batch's entries, the pending
    /// ones, the index), and where the cache holds it (for setting the next one without hashing
    /// the stream id again).
    func headWithSlot(of streamId: String) throws -> (head: StreamHead?, slot: Int32?) {
        if let (cached, slot) = heads.getWithSlot(streamId) { return (cached, slot) }
        let head = try (staged.isEmpty ? nil : staged[streamId]?.head) ?? pending.run(of: streamId)?.head
            ?? StoreReads.head(of: streamId, cursor: try streamsCursor())
        if let head { heads.set(streamId, head) }
        return (head, nil)
    }

    /// The runs newer than the index for `streamId`, oldest first: the pending one, then this
    /// batch's.
    func newerRuns(of streamId: String) -> [StreamRun] {
        [pending.run(of: streamId), staged[streamId]].compactMap { $0 }
    }

    /// Appends a record at the end of the log (positions only grow: LMDB refuses a smaller one).
    func appendToLog(_ position: UnsafeRawBufferPointer, _ record: UnsafeRawBufferPointer) throws {
        try kept(&logEnd, over: layout.log).put(position, record, flags: .append)
    }

    /// Indexes a version of a stream that this append starts, through the cursor its head lookup
    /// left beside the place where the entry goes.
    func putNewStreamIndexEntry(_ key: UnsafeRawBufferPointer, _ position: UnsafeRawBufferPointer) throws {
        try streamsCursor().put(key, position)
    }

    /// Notes a new version's index entry of a stream that existed before this append; the
    /// database gets it with a later flush.
    func stageIndexEntry(_ streamId: String, version: UInt64, position: UInt64) {
        staged.append(position, version: version, to: streamId)
        stagedCount += 1
    }

    /// Writes every pending entry and this batch's into the index, sorted (each stream's run
    /// lands on its own leaves, one after the other), and moves the marker to `lastPosition`.
    func flushIndex(through lastPosition: UInt64) throws {
        var runs = pending.all()
        for (streamId, run) in staged { runs.append(run, to: streamId) }
        // Sorted by the ids' bytes: stream ids hold no 0x00, so that orders their keys too.
        var ordered = runs.map { (streamId: $0.key, id: Array($0.key.utf8), run: $0.value) }
        ordered.sort { $0.id.keyPrecedes($1.id) }
        let cursor = try streamsCursor()
        for (streamId, _, run) in ordered {
            for (offset, position) in run.positions.enumerated() {
                try StoreLayout.withStreamKey(streamId, version: run.firstVersion + UInt64(offset)) { key in
                    try BigEndian.withBytes(position) { try cursor.put(key, $0) }
                }
            }
        }
        try layout.setIndexedThrough(lastPosition, transaction)
    }

    private func streamsCursor() throws -> Cursor {
        try kept(&streamIndex, over: layout.streams)
    }

    /// The cursor in `slot`, opened over `database` on first use.
    private func kept(_ slot: inout Cursor?, over database: Database) throws -> Cursor {
        if let cursor = slot { return cursor }
        let cursor = try transaction.writeCursor(database)
        slot = cursor
        return cursor
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
