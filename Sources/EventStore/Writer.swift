import CryptoPrimitives
import Foundation
import LMDB
import Synchronization

/// The single writer: one thread, one queue, one group commit per batch.
///
/// It takes everything queued (up to `maxBatch` jobs), runs each job's decide step in order and
/// stages what they write (`Batch`, `StagedBatch`), then hands the batch to the committer, which
/// writes it in one transaction, commits once (one fsync) and only then answers every job —
/// while this thread already decides the next batch, reading the one being committed through
/// `StagedReads`. A job that fails its own checks fails alone; a commit that fails fails its
/// batch and the one decided on top of it, and rolls back what their jobs derived.
final class Writer: @unchecked Sendable {
    // @unchecked: `queue`/`stopping`/`stopped` are guarded by `condition`; everything else is
    // touched only by the writer thread (and by `init`, before the thread starts).
    private let layout: StoreLayout
    private let configuration: EventStore.Configuration
    private let committer: Committer
    private let snapshot: ReadSnapshot
    private let condition = NSCondition()
    private var queue: [any WriterJob] = []
    private var stopping = false
    private var stopped = false
    /// Position and chain hash after everything staged (committed or not).
    private var nextPosition: UInt64
    private var lastHash: [UInt8]
    private var lastBatchMillis: Int64 = 0
    private var lastPurgeMillis: Int64 = 0
    /// The batch handed to the committer last, until the writer's snapshot shows its commit.
    private var inFlight: StagedBatch?
    private let hasher = SHA256.Hasher()
    private let heads = HeadCache()

    init(environment: Environment, layout: StoreLayout, configuration: EventStore.Configuration, notifier: ProgressNotifier,
         feed: CommitFeed, head: UInt64, headHash: [UInt8], headMillis: Int64) {
        self.layout = layout
        self.configuration = configuration
        self.committer = Committer(environment: environment, layout: layout, configuration: configuration, notifier: notifier, feed: feed)
        self.snapshot = ReadSnapshot(environment: environment)
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
        committer.start()
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
        // Wake the writer when it waits for work.
        if queue.count == 1 { condition.signal() }
        condition.unlock()
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
            if queue.isEmpty {
                condition.unlock()
                if let failure = committer.stop() { recover(from: failure, refusing: nil) }
                snapshot.close()
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let jobs = take(upTo: configuration.maxBatch)
            condition.unlock()
            if let failure = committer.takeFailure() { recover(from: failure, refusing: nil) }
            let staged = StagedBatch(firstPosition: nextPosition, startHash: lastHash,
                                     batchMillis: max(configuration.clock(), lastBatchMillis), expectedJobs: jobs.count)
            guard stage(jobs, into: staged) else { continue }
            condition.lock()
            let alone = jobs.count == 1 && queue.isEmpty
            condition.unlock()
            if alone {
                // Nothing to decide meanwhile: commit here rather than wake the committer.
                if let failure = committer.commitHere(staged) {
                    recover(from: failure, refusing: failure.batch === staged ? nil : staged)
                } else {
                    inFlight = staged
                }
            } else if let failure = committer.hand(staged) {
                // `hand` waits while the batch before is being committed; the jobs queued
                // meanwhile make the next batch. (Staging them as they come, into a batch kept
                // open, was tried: the extra wake-ups cost more than the head start gained.)
                recover(from: failure, refusing: staged)
            } else {
                inFlight = staged
            }
        }
    }

    /// With the lock held: up to `limit` jobs off the queue.
    private func take(upTo limit: Int) -> [any WriterJob] {
        let count = min(queue.count, limit)
        let jobs = Array(queue.prefix(count))
        queue.removeFirst(count)
        return jobs
    }

    /// Decides and stages `jobs` into `staged`. False when the batch failed as a whole (a read
    /// failed, or a staged hook threw): then every job of it was rolled back and answered.
    private func stage(_ jobs: [any WriterJob], into staged: StagedBatch) -> Bool {
        let started = DispatchTime.now().uptimeNanoseconds
        staged.add(jobs)
        var position = nextPosition
        var hash = lastHash
        do {
            let transaction = try snapshot.begin()
            defer { snapshot.end() }
            // The batch in flight is a layer until the snapshot shows its commit.
            if let committing = inFlight {
                let id = committing.transactionId.load(ordering: .acquiring)
                if id != 0 && id <= snapshot.transactionId { inFlight = nil }
            }
            let reads = StagedReads(transaction: transaction, snapshot: snapshot, layout: layout,
                                    layers: inFlight.map { [$0, staged] } ?? [staged])
            var batch = Batch(reads: reads, staged: staged, nextPosition: nextPosition, lastHash: lastHash, hasher: hasher, heads: heads)
            for job in jobs {
                try job.run(in: &batch)
            }
            position = batch.nextPosition
            hash = batch.lastHash
        } catch {
            // Nothing of the batch is written; what its jobs derived is undone, newest first.
            heads.clear()
            for job in staged.jobs.reversed() { job.rollback() }
            nextPosition = staged.firstPosition
            lastHash = staged.startHash
            let storeError = EventStoreError.wrap(error)
            configuration.onWriteFailure?(storeError)
            for answer in staged.jobs.map({ $0.answer(batchError: storeError) }) { answer.deliver() }
            return false
        }
        if staged.batchMillis - lastPurgeMillis > 60_000 {
            staged.purgeBefore = staged.batchMillis - configuration.idempotencyRetentionMillis
            lastPurgeMillis = staged.batchMillis
        }
        nextPosition = position
        lastHash = hash
        lastBatchMillis = staged.batchMillis
        staged.stagingSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return true
    }

    /// A commit failed (the committer answered its jobs): undo what its jobs derived, and fail
    /// `refused`, which was decided on top of it, too. The log continues where it was before.
    private func recover(from failure: CommitFailure, refusing refused: StagedBatch?) {
        // Newest first, and all of it before anyone of `refused` hears back.
        for job in (refused?.jobs ?? []).reversed() { job.rollback() }
        for job in failure.batch.jobs.reversed() { job.rollback() }
        heads.clear()
        nextPosition = failure.batch.firstPosition
        lastHash = failure.batch.startHash
        inFlight = nil
        for answer in (refused?.jobs ?? []).map({ $0.answer(batchError: failure.error) }) { answer.deliver() }
    }
}
