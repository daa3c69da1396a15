import CryptoPrimitives
import Foundation
import LMDB

/// The single writer: one thread, one queue, one write transaction per group commit.
///
/// It takes everything queued (up to `maxBatch` jobs), runs each job's decide step in order
/// against the open transaction, commits once (one fsync) and only then answers every job of
/// the batch. A job that fails its own checks fails alone; a commit that fails fails the batch
/// and rolls back what the jobs derived. A full map is grown and the batch re-run.
final class Writer: @unchecked Sendable {
    // @unchecked: `queue`, `stopping`, `lastBatchJobs`, `gathering`, `arrivedWhileBusy` and
    // `batchStarted` are guarded by `condition`; `nextPosition`, `lastHash`,
    // `lastBatchMillis`, `lastPurgeMillis`, `purgeBehind`, `hasher` and `heads` are touched only by the writer
    // thread (and by `init`, before the thread starts).
    private let environment: Environment
    private let layout: StoreLayout
    private let configuration: EventStore.Configuration
    private let notifier: ProgressNotifier
    private let feed: CommitFeed
    private let pending: PendingStreamIndex
    private let idempotency: IdempotencyIndex
    /// The `indexed-through` marker as last committed.
    private var indexedThrough: UInt64
    private let condition = NSCondition()
    private var queue: [any WriterJob] = []
    private var stopping = false
    /// Jobs in the last batch taken, and (while gathering) how many the writer waits for.
    private var lastBatchJobs = 0
    private var gathering = 0
    /// Jobs queued when the last batch was done: those that arrived while it was processed
    /// (see `gather`).
    private var arrivedWhileBusy = 0
    private var stopped = false
    /// When the batch in progress was taken (`DispatchTime` nanoseconds); 0 between batches.
    private var batchStarted: UInt64 = 0
    private var nextPosition: UInt64
    private var lastHash: [UInt8]
    private var lastBatchMillis: Int64 = 0
    private var lastPurgeMillis: Int64 = 0
    /// The last purge stopped at its limit: expired replies wait, so the next batch purges too.
    private var purgeBehind = false
    /// Expired replies one batch purges at most: ~1 ms of the writer's time.
    static let purgeLimit = 1_000
    private var thread: Thread?
    private let hasher = SHA256.Hasher()
    private let heads = HeadCache()

    init(environment: Environment, layout: StoreLayout, configuration: EventStore.Configuration, notifier: ProgressNotifier,
         feed: CommitFeed, pending: PendingStreamIndex, idempotency: IdempotencyIndex, indexedThrough: UInt64, head: UInt64, headHash: [UInt8], headMillis: Int64) {
        self.environment = environment
        self.layout = layout
        self.configuration = configuration
        self.notifier = notifier
        self.feed = feed
        self.pending = pending
        self.idempotency = idempotency
        self.indexedThrough = indexedThrough
        self.nextPosition = head + 1
        self.lastHash = headHash
        self.lastBatchMillis = headMillis
    }

    func start() {
        let thread = Thread { [self] in
            nameCurrentThread("ol-writer")
            // Every command waits on this one thread: under CPU overload it must not queue
            // behind request handlers for whole time slices.
            raiseCurrentThreadPriority(by: 10)
            self.loop()
        }
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    func enqueue(_ job: any WriterJob) {
        condition.lock()
        if stopping {
            condition.unlock()
            job.answer(batchError: .closed).deliver()
            return
        }
        queue.append(job)
        // Wake the writer when it waits for work, or when it gathers and now has enough.
        if queue.count == 1 || (gathering > 0 && queue.count >= gathering) { condition.signal() }
        condition.unlock()
    }

    /// The queue and the batch in progress, as of now.
    func load() -> WriterLoad {
        condition.lock()
        defer { condition.unlock() }
        let running = batchStarted == 0 ? 0 : Double(DispatchTime.now().uptimeNanoseconds - batchStarted) / 1e9
        return WriterLoad(queuedJobs: queue.count, batchSeconds: running)
    }

    /// Finishes everything already queued, then stops the thread. Blocks until it has.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            gather()
            if queue.isEmpty {
                condition.unlock()
                flushIndexOnStop()
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let take = min(queue.count, configuration.maxBatch)
            var jobs = Array(queue.prefix(take))
            queue.removeFirst(take)
            lastBatchJobs = take
            let started = DispatchTime.now().uptimeNanoseconds
            batchStarted = started
            condition.unlock()
            let answers = process(jobs, startedAt: started)
            // Read before the answers go out: the callers they resume queue again afterwards.
            condition.lock()
            arrivedWhileBusy = queue.count
            batchStarted = 0
            condition.unlock()
            // Let go of the jobs first: each caller then holds the last reference to its own.
            jobs.removeAll()
            answers.deliver()
        }
    }

    /// With the lock held and work queued: waits (at most `gatherMicros`) until as many jobs
    /// are queued as the last batch held plus those that arrived while it was processed, so a
    /// loaded writer commits fewer, fuller batches. In a closed loop whose callers were all in
    /// the last batch none arrive meanwhile, and the writer waits for no more than those
    /// callers coming back; under an open load (HTTP) jobs keep arriving during each commit and
    /// batches grow until `gatherJobs` or the time limit stops them.
    private func gather() {
        let want = min(lastBatchJobs + arrivedWhileBusy, configuration.gatherJobs)
        guard configuration.gatherMicros > 0, queue.count < want, !stopping else { return }
        gathering = want
        defer { gathering = 0 }
        let deadline = Date(timeIntervalSinceNow: Double(configuration.gatherMicros) / 1_000_000)
        while queue.count < want && !stopping {
            if !condition.wait(until: deadline) { return }
        }
    }

    /// Runs and commits one batch taken at `started` (`DispatchTime` nanoseconds); returns the
    /// callers' answers (delivered by `loop`).
    private func process(_ jobs: [any WriterJob], startedAt started: UInt64) -> BatchAnswers {
        let millis = max(configuration.clock(), lastBatchMillis)
        if Double(environment.usedBytes) > Double(environment.mapSize) * 0.8 {
            try? environment.growMap()
        }
        while true {
            var committedPosition = nextPosition
            var committedHash = lastHash
            var events = 0
            var handed: [HandedEvent] = []
            var staged: UInt64 = 0
            var indexEntries: [String: StreamRun] = [:]
            var flushedIndex = false
            var purgedReplies: [[UInt8]] = []
            var purged = false
            do {
                try environment.writeOnce { transaction in
                    defer { staged = DispatchTime.now().uptimeNanoseconds }
                    var batch = Batch(transaction: transaction, layout: layout, batchMillis: millis,
                                      nextPosition: nextPosition, lastHash: lastHash, hasher: hasher, heads: heads, pending: pending,
                                      idempotency: idempotency, jobs: jobs.count)
                    for job in jobs {
                        try job.run(in: &batch)
                    }
                    // Once a minute, and in every batch while expired replies are left over (a
                    // burst of keyed commands a day ago expires as fast as it came).
                    if purgeBehind || millis - lastPurgeMillis > 60_000 {
                        try batch.purgeIdempotency(before: millis - configuration.idempotencyRetentionMillis, limit: Self.purgeLimit)
                        purged = true
                    }
                    // Flushed when enough entries wait, and also when the marker lags far
                    // behind: large batches of new streams index them at once and leave nothing
                    // waiting, and an open reads back everything past the marker.
                    let last = batch.nextPosition - 1
                    let flushEntries = configuration.streamIndexFlushEntries
                    if batch.eventCount > 0,
                       pending.count + batch.scope.stagedCount >= flushEntries || last - indexedThrough >= UInt64(max(flushEntries, 1)) {
                        try batch.scope.flushIndex(through: last)
                        flushedIndex = true
                    }
                    indexEntries = batch.scope.staged
                    committedPosition = batch.nextPosition
                    committedHash = batch.lastHash
                    events = batch.eventCount
                    handed = batch.handed
                    purgedReplies = batch.purgedReplies
                }
            } catch let error as LMDBError where error.isMapFull {
                heads.clear()
                for job in jobs { job.rollback() }
                do {
                    try environment.growMap()
                    continue
                } catch {
                    return answers(jobs, batchError: EventStoreError(error))
                }
            } catch {
                heads.clear()
                for job in jobs { job.rollback() }
                let storeError = EventStoreError.wrap(error)
                configuration.onWriteFailure?(storeError)
                return answers(jobs, batchError: storeError)
            }
            if purged {
                lastPurgeMillis = millis
                purgeBehind = purgedReplies.count >= Self.purgeLimit
            }
            for timed in purgedReplies { idempotency.remove(timedKey: timed) }
            nextPosition = committedPosition
            lastHash = committedHash
            lastBatchMillis = millis
            // Before anyone is answered: a caller reading its stream right after must find it.
            if flushedIndex {
                pending.removeAll()
                indexedThrough = committedPosition - 1
            } else {
                pending.add(indexEntries)
            }
            for job in jobs { job.committed() }
            feed.append(handed)
            notifier.publish(head: committedPosition - 1)
            let answers = answers(jobs, batchError: nil)
            if let observe = configuration.onBatchCommitted {
                let finished = DispatchTime.now().uptimeNanoseconds
                observe(BatchStatistics(jobs: jobs.count, events: events, seconds: Double(finished - started) / 1e9,
                                        commitSeconds: Double(finished - max(staged, started)) / 1e9))
            }
            return answers
        }
    }

    /// Writes the pending index entries on a clean stop, so the next open has none to read back
    /// from the log. Should it fail, they are read back then.
    private func flushIndexOnStop() {
        guard pending.count > 0 || indexedThrough < nextPosition - 1 else { return }
        do {
            try environment.writeOnce { transaction in
                let scope = BatchScope(transaction: transaction, layout: layout, batchMillis: lastBatchMillis, heads: heads, pending: pending)
                try scope.flushIndex(through: nextPosition - 1)
            }
            pending.removeAll()
            indexedThrough = nextPosition - 1
        } catch {
            configuration.onWriteFailure?(EventStoreError.wrap(error))
        }
    }

    private func answers(_ jobs: [any WriterJob], batchError: EventStoreError?) -> BatchAnswers {
        BatchAnswers(jobs, batchError: batchError)
    }
}

/// What one group commit did, for metrics.
public struct BatchStatistics: Sendable {
    public let jobs: Int
    public let events: Int
    /// From taking the batch to having every job's answer ready (delivering them follows).
    public let seconds: Double
    /// The part spent committing (writing pages and fsync), after every job was staged.
    public let commitSeconds: Double
}

/// What the writer is doing at this moment (`EventStore.writerLoad`), for metrics read when
/// scraped: unlike the statistics of finished batches, it shows a batch that never finishes
/// (a disk that stopped completing its flushes) while it hangs.
public struct WriterLoad: Sendable {
    /// Jobs queued and not yet taken into a batch.
    public let queuedJobs: Int
    /// How long the batch in progress has been running; 0 when the writer is not in one.
    public let batchSeconds: Double
}
