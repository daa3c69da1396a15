import CanonicalJSON
import CryptoPrimitives
import Foundation
import LMDB

/// The append-only, hash-chained event log on LMDB.
///
/// Guarantees:
/// - **Durability**: `append`/`submit` return only after their batch is committed and fsync'd.
/// - **Order**: global positions are gapless from 1 in commit order; each stream's versions are
///   contiguous from 1; `events(from:)` yields every event once, in position order.
/// - **Atomicity**: one append (or one submitted plan) touching many streams is all or nothing,
///   checked against every expected version first.
/// - **One writer**: a directory is written by one process at a time (an exclusive lock), and
///   inside it by one thread that group-commits everything queued.
/// Readers (any task, any process) use read-only snapshots and never block the writer.
public final class EventStore: Sendable {
    public struct Configuration: Sendable {
        /// Initial map size; the map doubles whenever it fills.
        public var initialMapSize: Int = 1 << 30
        /// Most jobs taken into one group commit.
        public var maxBatch: Int = 4096
        /// Under load, how long the writer may wait for more jobs before a commit (0: never).
        ///
        /// Every commit rewrites the paths of each B-tree it touches and fsyncs, whatever its
        /// size; at 128 concurrent HTTP buyers batches were ~13 orders and that fixed cost was
        /// a large share of each order's CPU. The writer waits only while fewer jobs are queued
        /// than its last batch held plus those that arrived during it (at most `gatherJobs`), so
        /// a lone caller never waits: its last batch was itself, and nothing arrived meanwhile.
        /// 2 ms, not 0.5: on the Xeon of 2026-11-27, HTTP batches grew from ~21 to ~55 events
        /// and the server's CPU per order fell 5–8 % (see the README).
        public var gatherMicros: Int = 2000
        /// The most jobs the writer waits for (see `gatherMicros`).
        public var gatherJobs: Int = 64
        /// Remembered idempotent responses are kept at least this long.
        public var idempotencyRetentionMillis: Int64 = 25 * 3_600_000
        /// Application side tables written atomically with events (e.g. the key store).
        public var sideTables: [String] = []
        /// Milliseconds since the epoch; stamps each batch (`at`), never going backwards.
        public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        public var onBatchCommitted: (@Sendable (BatchStatistics) -> Void)?
        public var onWriteFailure: (@Sendable (EventStoreError) -> Void)?
        /// How many new stream-index entries gather in memory before the writer writes them to
        /// the index in one sorted run (see `PendingStreamIndex`); 1 writes each with its event.
        public var streamIndexFlushEntries: Int = 4096
        /// Bytes of the log file kept zero-filled past its last page, so commits write into
        /// blocks the file has instead of growing it (see `FileHeadroom`); 0 turns it off.
        /// Durable appends at C = 256: ~+10 % (README, Performance).
        public var logHeadroomBytes: Int = Self.defaultLogHeadroomMegabytes << 20
        /// The server's default headroom, which the benchmarks use too.
        public static let defaultLogHeadroomMegabytes = 32

        public init() {}
    }

    public let path: String
    public let isReadOnly: Bool
    let environment: Environment
    let layout: StoreLayout
    private let lock: DirectoryLock?
    private let writer: Writer?
    private let notifier: ProgressNotifier
    /// The latest commits in memory, for in-process subscribers (`committedBatches`).
    let feed = CommitFeed()
    /// Stream-index entries of committed events not yet written to the index.
    let pending = PendingStreamIndex()
    /// Where each remembered idempotent reply is; filled at open for writing (a read-only store
    /// answers no `rememberedResponse`: its writer, in another process, holds the index).
    let idempotency = IdempotencyIndex()

    /// Opens (creating if needed) the log in `directory` for writing, taking its writer lock.
    public convenience init(directory: String, configuration: Configuration = Configuration()) throws(EventStoreError) {
        try self.init(directory: directory, configuration: configuration, readOnly: false)
    }

    /// Opens an existing log read-only (tools); safe beside a running writer.
    public static func openReadOnly(directory: String, sideTables: [String] = []) throws(EventStoreError) -> EventStore {
        var configuration = Configuration()
        configuration.sideTables = sideTables
        return try EventStore(directory: directory, configuration: configuration, readOnly: true)
    }

    private init(directory: String, configuration: Configuration, readOnly: Bool) throws(EventStoreError) {
        self.path = directory
        self.isReadOnly = readOnly
        do {
            if readOnly {
                guard FileManager.default.fileExists(atPath: directory + "/data.mdb") else {
                    throw EventStoreError.invalidArgument("\(directory) holds no OrderLog log")
                }
                lock = nil
            } else {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                lock = try DirectoryLock(path: directory + "/writer.lock")
            }
            let environment = try Environment(
                path: directory,
                options: .init(mapSize: configuration.initialMapSize, maxDatabases: 32 + configuration.sideTables.count, readOnly: readOnly,
                               headroomBytes: configuration.logHeadroomBytes))
            let layout = try StoreLayout(environment: environment, sideTableNames: configuration.sideTables)
            self.environment = environment
            self.layout = layout
            if !readOnly {
                // Format 1's replies, keyed by the client's key (gone from format 2 on).
                let keyedReplies = try environment.openDatabase("idempotency", create: false)
                try environment.write { txn in
                    let key = Array("format".utf8)
                    let current = Array(StoreLayout.formatVersion.utf8)
                    let existing = try txn.getBytes(layout.meta, key)
                    if existing == Array(StoreLayout.formatVersionWithKeyedReplies.utf8) {
                        if let keyedReplies { _ = try layout.migrateIdempotency(from: keyedReplies, txn) }
                    } else if let existing, existing != current {
                        throw EventStoreError.invalidArgument("\(directory) holds an unknown log format")
                    }
                    if existing != current { try txn.put(layout.meta, key, current) }
                    // A log from before entries were deferred has them all in the index.
                    if try layout.indexedThrough(txn) == nil {
                        try layout.setIndexedThrough(try StoreReads.lastPosition(transaction: txn, layout: layout)?.position ?? 0, txn)
                    }
                }
            }
            // The entries past the marker are read again from the log (after a crash or a
            // stop, at most about `streamIndexFlushEntries` of them).
            let indexedThrough = try environment.read { [pending] txn -> UInt64 in
                guard let indexed = try layout.indexedThrough(txn) else { return .max }
                try StoreReads.forEachRaw(from: indexed + 1, limit: .max, transaction: txn, layout: layout) { position, bytes in
                    let event = try RecordCodec.decode(bytes, position: position)
                    pending.recover(streamId: event.streamId, version: event.version, position: position)
                }
                return indexed
            }
            let head = try environment.read { txn -> (UInt64, [UInt8], Int64) in
                guard let last = try StoreReads.lastPosition(transaction: txn, layout: layout) else {
                    return (0, RecordCodec.zeroHash, 0)
                }
                let event = try RecordCodec.decode(last.record, position: last.position)
                guard let hash = Hex.decode(event.hash), hash.count == 32 else {
                    throw EventStoreError.corruptRecord(position: last.position, reason: "hash is not 64 hex digits")
                }
                return (last.position, hash, RFC3339.parse(event.at) ?? 0)
            }
            notifier = ProgressNotifier(head: head.0)
            if readOnly {
                writer = nil
            } else {
                try environment.read { [idempotency] txn in try idempotency.load(from: txn, layout: layout) }
                let writer = Writer(environment: environment, layout: layout, configuration: configuration, notifier: notifier,
                                    feed: feed, pending: pending, idempotency: idempotency, indexedThrough: min(indexedThrough, head.0), head: head.0,
                                    headHash: head.1, headMillis: head.2)
                writer.start()
                self.writer = writer
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Bytes of the log file that hold pages (the file itself is larger by its zeroed headroom,
    /// `Configuration.logHeadroomBytes`, and never smaller).
    public var usedBytes: Int { environment.usedBytes }

    /// Drains the queue, stops the writer, wakes every waiting subscriber and closes LMDB.
    /// Later reads and writes throw.
    public func close() {
        writer?.stop()
        notifier.close()
        environment.close()
    }

    deinit {
        writer?.stop()
    }

    // MARK: - Writing

    /// Appends events to one or more streams atomically, each checked against its expected version.
    ///
    /// With an idempotency claim, a key seen before with the same fingerprint returns the
    /// remembered response and appends nothing; with another fingerprint it throws
    /// `.idempotencyKeyReused`.
    @discardableResult
    public func append(_ appends: [StreamAppend], idempotency: IdempotencyClaim? = nil, response: [UInt8] = []) async throws -> Submission<AppendOutcome> {
        try await submit(idempotency: idempotency, remember: { _, _ in response }) { _ in
            Decision(plan: WritePlan(appends: appends), staged: { $0 })
        }
    }

    /// Runs `decide` inside the writer, in order with every other queued job, and commits its
    /// plan with the batch. This is where the command processor plugs in: there is no other
    /// queue in front of the writer.
    public func submit<R: Sendable>(
        idempotency: IdempotencyClaim? = nil,
        remember: (@Sendable (R, UInt64) -> [UInt8])? = nil,
        _ decide: @escaping @Sendable (WriteContext) throws -> Decision<R>
    ) async throws -> Submission<R> {
        guard let writer else { throw EventStoreError.invalidArgument("the store is open read-only") }
        // Held until answered: the writer lets go first, so the job and what its command
        // allocated are freed here, on the caller's thread, not on the writer's.
        var job: SubmittedJob<R>?
        defer { withExtendedLifetime(job) {} }
        let outcome = try await withUnsafeThrowingContinuation { continuation in
            let submitted = SubmittedJob(claim: idempotency, decide: decide, remember: remember, continuation: continuation)
            job = submitted
            writer.enqueue(submitted)
        }
        switch outcome {
        case .completed(let value, let position):
            // The job boxed the `R` its decision's `staged` returned; nothing else reaches here.
            guard let result = value as? R else {
                throw EventStoreError.invalidArgument("a job answered with \(type(of: value)), not \(R.self)")
            }
            return .completed(result, position: position)
        case .replayed(let response, let position):
            return .replayed(response: response, position: position)
        }
    }

    /// The writer's queue and the batch it is in, right now (nil when read-only).
    public var writerLoad: WriterLoad? { writer?.load() }

    /// Idempotent replies remembered and hinted in memory (`IdempotencyIndex`; 0 read-only).
    public var rememberedReplyCount: Int { idempotency.count }

    // MARK: - Reading

    /// The position of the last committed event (0 for an empty log).
    public var headPosition: UInt64 {
        get throws {
            if writer != nil { return notifier.head }
            return try environment.read { txn in try StoreReads.lastPosition(transaction: txn, layout: layout)?.position ?? 0 }
        }
    }

    public func head(of streamId: String) throws -> StreamHead? {
        // The pending run first, then the index (see `PendingStreamIndex`): a flush between
        // the two leaves the newer head in the index.
        let run = pending.run(of: streamId)
        let indexed = try environment.read { txn in try StoreReads.head(of: streamId, transaction: txn, layout: layout) }
        guard let newer = run?.head else { return indexed }
        guard let indexed else { return newer }
        return newer.version >= indexed.version ? newer : indexed
    }

    /// True when some stream's id starts with `prefix` (say, any `product-` ever created).
    public func hasStream(withPrefix prefix: String) throws -> Bool {
        if pending.hasStream(withPrefix: prefix) { return true }
        return try environment.read { txn in
            try txn.withCursor(layout.streams) { cursor in
                guard let entry = try cursor.seek(atLeast: Array(prefix.utf8)) else { return false }
                return entry.key.hasPrefix(Array(prefix.utf8))
            }
        }
    }

    /// The stream's current version, nil when it does not exist.
    public func version(of streamId: String) throws -> UInt64? {
        try head(of: streamId)?.version
    }

    public func read(stream streamId: String, from version: UInt64 = 1, limit: Int = .max) throws -> [RecordedEvent] {
        // The pending run is taken before the read transaction opens (see `PendingStreamIndex`).
        let newer = pending.run(of: streamId).map { [$0] } ?? []
        return try environment.read { txn in
            try StoreReads.readStream(streamId, fromVersion: version, limit: limit, newer: newer, transaction: txn, layout: layout)
        }
    }

    public func readAll(from position: UInt64 = 1, limit: Int = 1000) throws -> [RecordedEvent] {
        try environment.read { txn in try StoreReads.readAll(from: position, limit: limit, transaction: txn, layout: layout) }
    }

    /// Calls `body` with each stored record's bytes exactly as stored, in position order.
    public func forEachRawRecord(from position: UInt64 = 1, limit: Int = .max,
                                 _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        try environment.read { txn in
            try StoreReads.forEachRaw(from: position, limit: limit, transaction: txn, layout: layout, body)
        }
    }

    public func snapshot(of streamId: String) throws -> (version: UInt64, state: [UInt8])? {
        try environment.read { txn in try StoreReads.snapshot(of: streamId, transaction: txn, layout: layout) }
    }

    public func sideTableValue(_ table: String, key: [UInt8]) throws -> [UInt8]? {
        guard let db = layout.sideTables[table] else {
            if isReadOnly { return nil }
            throw EventStoreError.invalidArgument("no side table \(table)")
        }
        return try environment.read { txn in try txn.getBytes(db, key) }
    }

    public func sideTableEntries(_ table: String, prefix: [UInt8] = []) throws -> [(key: [UInt8], value: [UInt8])] {
        guard let db = layout.sideTables[table] else {
            if isReadOnly { return [] }
            throw EventStoreError.invalidArgument("no side table \(table)")
        }
        return try environment.read { txn in try txn.entries(withPrefix: prefix, in: db) }
    }

    /// Side-table entries with `start ≤ key < end` (no end: to the last), at most `limit`.
    public func sideTableRange(_ table: String, from start: [UInt8], to end: [UInt8]? = nil, limit: Int = .max) throws -> [(key: [UInt8], value: [UInt8])] {
        guard let db = layout.sideTables[table] else { throw EventStoreError.invalidArgument("no side table \(table)") }
        return try environment.read { txn in
            var result: [(key: [UInt8], value: [UInt8])] = []
            try txn.withCursor(db) { cursor in
                var entry = start.isEmpty ? try cursor.first() : try cursor.seek(atLeast: start)
                while let current = entry, result.count < limit {
                    let key = [UInt8](current.key)
                    if let end, !key.lexicographicallyPrecedes(end) { break }
                    result.append((key, [UInt8](current.value)))
                    entry = try cursor.next()
                }
            }
            return result
        }
    }

    /// The remembered response for an idempotency key, if any (a fast path before queueing:
    /// the writer checks again). A fresh key is answered from memory, without a transaction.
    /// Always nil on a read-only store.
    public func rememberedResponse(for key: String) throws -> (fingerprint: [UInt8], position: UInt64, response: [UInt8])? {
        // A key too long to have been stored (the writer refuses those) was never remembered.
        guard layout.idempotencyKeyBytes.contains(key.utf8.count) else { return nil }
        let hashed = idempotency.key(key)
        let times = idempotency.candidates(for: hashed)
        guard !times.isEmpty else { return nil }
        return try environment.read { txn in
            guard let entry = try layout.reply(for: hashed.bytes, at: times, in: txn) else { return nil }
            return (entry.fingerprint, entry.position, entry.response)
        }
    }

    /// Waits until the log's head reaches `position` (or the store closes).
    public func waitForCommit(atLeast position: UInt64) async {
        await notifier.wait(untilAtLeast: position)
    }

    /// Size of the log's data file in bytes.
    public var fileSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size]) as? Int) ?? 0
    }

    /// A consistent compacted copy of the log environment into `directory` (which must exist
    /// and be empty); safe while the writer runs.
    public func backup(to directory: String) throws {
        try environment.copy(to: directory, compact: true)
    }
}

extension EventStore {
    var isClosedForSubscribers: Bool { writer == nil || notifier.isClosed }
}
