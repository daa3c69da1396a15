import Foundation
import LMDB
import Synchronization

/// The committing thread: writes each batch the writer staged in one write transaction, commits
/// it (fsync), then answers its callers — while the writer stages the next batch.
///
/// Why a second thread: most of a commit is spent writing pages and waiting for the disk, and a
/// writer that committed itself decided nothing meanwhile (a third of its time at C = 256 hot-sku
/// orders, half of it for plain appends). Now batch N+1 is decided while batch N is made durable;
/// the writer reads N through `StagedReads` until its snapshot shows N committed. At most one
/// batch is in flight: handing over the next waits until the one before has finished, and when
/// that one failed, the next is refused (it was decided on top of it).
final class Committer: @unchecked Sendable {
    // @unchecked: `pending`, `busy`, `failure`, `stopping` and `stopped` are guarded by
    // `condition`; the rest is immutable or touched only by the committing thread.
    private let environment: Environment
    private let layout: StoreLayout
    private let configuration: EventStore.Configuration
    private let notifier: ProgressNotifier
    private let feed: CommitFeed
    private let condition = NSCondition()
    private var pending: StagedBatch?
    /// A batch taken and not finished.
    private var busy = false
    /// The last batch's failure, until the writer takes it.
    private var failure: CommitFailure?
    private var stopping = false
    private var stopped = false

    init(environment: Environment, layout: StoreLayout, configuration: EventStore.Configuration, notifier: ProgressNotifier, feed: CommitFeed) {
        self.environment = environment
        self.layout = layout
        self.configuration = configuration
        self.notifier = notifier
        self.feed = feed
    }

    func start() {
        let thread = Thread { [self] in
            nameCurrentThread("ol-commit")
            // Every acknowledgement waits on this thread too (see `Writer.start`).
            raiseCurrentThreadPriority(by: 10)
            self.loop()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits until the batch handed over before has finished, then takes `batch` — unless that
    /// one failed: then `batch` is refused and the failure returned.
    func hand(_ batch: StagedBatch) -> CommitFailure? {
        condition.lock()
        defer { condition.unlock() }
        while pending != nil || busy { condition.wait() }
        if let failure {
            self.failure = nil
            return failure
        }
        pending = batch
        condition.broadcast()
        return nil
    }

    /// Commits `batch` on the calling thread (the writer's, when a lone job has nothing to
    /// overlap with: the hand-over to this thread would only add a wake-up to its latency).
    /// Waits like `hand`; returns the failure of the batch before (then `batch` is refused) or
    /// of `batch` itself.
    func commitHere(_ batch: StagedBatch) -> CommitFailure? {
        condition.lock()
        while pending != nil || busy { condition.wait() }
        if let failure {
            self.failure = nil
            condition.unlock()
            return failure
        }
        busy = true
        condition.unlock()
        finish(batch)
        return takeFailure()
    }

    /// The failure of the last batch, if it has failed and was not reported yet; does not wait.
    func takeFailure() -> CommitFailure? {
        condition.lock()
        defer { condition.unlock() }
        let taken = failure
        failure = nil
        return taken
    }

    /// Finishes the batch in flight and stops the thread; returns that batch's failure, if any.
    func stop() -> CommitFailure? {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        let taken = failure
        failure = nil
        return taken
    }

    private func loop() {
        while true {
            condition.lock()
            while pending == nil && !stopping { condition.wait() }
            guard let batch = pending else {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            pending = nil
            busy = true
            condition.unlock()
            finish(batch)
        }
    }

    /// Commits `batch`, publishes it and answers its callers; on failure records it for the
    /// writer (which undoes what the jobs derived) and answers with the error.
    private func finish(_ batch: StagedBatch) {
        configuration.onCommitStart?(batch.firstPosition)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try write(batch)
        } catch {
            let storeError = EventStoreError.wrap(error)
            configuration.onWriteFailure?(storeError)
            let answers = batch.jobs.map { $0.answer(batchError: storeError) }
            condition.lock()
            failure = CommitFailure(batch: batch, error: storeError)
            busy = false
            condition.broadcast()
            condition.unlock()
            for answer in answers { answer.deliver() }
            return
        }
        for job in batch.jobs { job.committed() }
        feed.append(batch.handed)
        notifier.publish(head: batch.lastPosition)
        var answers = batch.jobs.map { $0.answer(batchError: nil) }
        // Let go of the jobs first: each caller then holds the last reference to its own and
        // frees what its command allocated on its own thread.
        batch.releaseJobs()
        let finished = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        busy = false
        condition.broadcast()
        condition.unlock()
        for answer in answers { answer.deliver() }
        answers.removeAll()
        configuration.onBatchCommitted?(BatchStatistics(jobs: batch.jobCount, events: batch.eventCount, stagingSeconds: batch.stagingSeconds,
                                                        commitSeconds: Double(finished - started) / 1e9))
    }

    /// One write transaction with everything `batch` staged; a full map is grown and the
    /// transaction written again (the staged writes are plain data: nothing is decided again).
    private func write(_ batch: StagedBatch) throws {
        if Double(environment.usedBytes) > Double(environment.mapSize) * 0.8 {
            try? environment.growMap()
        }
        while true {
            do {
                try environment.writeOnce { transaction in
                    batch.transactionId.store(transaction.id, ordering: .releasing)
                    try put(batch, in: transaction)
                }
                return
            } catch let error as LMDBError where error.isMapFull {
                try environment.growMap()
            }
        }
    }

    private func put(_ batch: StagedBatch, in transaction: Transaction) throws {
        try batch.records.withUnsafeBytes { records in
            var start = 0
            for (index, end) in batch.recordEnds.enumerated() {
                try BigEndian.withBytes(batch.firstPosition + UInt64(index)) { key in
                    try transaction.put(layout.log, key, UnsafeRawBufferPointer(rebasing: records[start..<end]), flags: .append)
                }
                start = end
            }
        }
        for event in batch.handed {
            try BigEndian.withBytes(event.position) { position in
                try StoreLayout.withStreamKey(event.streamId, version: event.version) { key in
                    try transaction.put(layout.streams, key, position)
                }
            }
        }
        for (streamId, value) in batch.snapshots {
            try transaction.put(layout.snapshots, Array(streamId.utf8), value)
        }
        for (database, write) in batch.sideWrites {
            switch write.operation {
            case .put(let value): try transaction.put(database, write.key, value)
            case .delete: try transaction.delete(database, write.key)
            case .deletePrefix:
                try transaction.withCursor(database) { cursor in
                    while let entry = write.key.isEmpty ? try cursor.first() : try cursor.seek(atLeast: write.key),
                          entry.key.hasPrefix(write.key) {
                        try cursor.deleteCurrent()
                    }
                }
            }
        }
        for (key, entry) in batch.idempotency {
            try transaction.put(layout.idempotency, Array(key.utf8), entry)
        }
        for expiryKey in batch.idempotencyExpiry {
            try transaction.put(layout.idempotencyByTime, expiryKey, [])
        }
        if let cutoff = batch.purgeBefore {
            try purgeIdempotency(before: cutoff, limit: 10_000, in: transaction)
        }
    }

    /// Forgets up to `limit` remembered responses created before `cutoffMillis`.
    private func purgeIdempotency(before cutoffMillis: Int64, limit: Int, in transaction: Transaction) throws {
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

/// A batch whose commit failed, and why.
struct CommitFailure {
    let batch: StagedBatch
    let error: EventStoreError
}

/// What one group commit did, for metrics.
public struct BatchStatistics: Sendable {
    public let jobs: Int
    public let events: Int
    /// Seconds the writer thread spent deciding and staging the batch.
    public let stagingSeconds: Double
    /// Seconds the committing thread spent on it before answering: writing pages, fsync,
    /// publishing.
    public let commitSeconds: Double
}
