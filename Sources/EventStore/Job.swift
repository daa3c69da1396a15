/// A unit of work queued for the writer, type-erased so one queue holds every kind.
protocol WriterJob: AnyObject, Sendable {
    /// Decides and stages into the batch. Throws only for batch-level failures (LMDB errors
    /// while writing); everything else becomes this job's own outcome.
    func run(in batch: inout Batch) throws
    /// The batch failed after this job staged: undo derived state.
    func rollback()
    /// The batch is durable.
    func committed()
    /// The caller's answer: its outcome, or `error` when the batch failed. The writer lets go of
    /// the job before it resumes the caller (`JobAnswer.deliver`), so the caller — who holds
    /// the job until then — frees it and everything its command allocated on its own thread.
    func answer(batchError: EventStoreError?) -> JobAnswer
}

/// A job's outcome and the continuation to resume with it, apart from the job.
struct JobAnswer {
    let continuation: UnsafeContinuation<JobOutcome, any Error>
    let outcome: Result<JobOutcome, any Error>

    consuming func deliver() {
        continuation.resume(with: outcome)
    }
}

/// A batch's answers, each moved out to its caller in the order the jobs came (never copied:
/// the array `reverse()` and `popLast()` did this with before copied each answer's outcome
/// through generic value witnesses, ~2.5 % of the append writer).
struct BatchAnswers: ~Copyable {
    private let answers: UnsafeMutableBufferPointer<JobAnswer>

    init(_ jobs: [any WriterJob], batchError: EventStoreError?) {
        answers = .allocate(capacity: jobs.count)
        for index in jobs.indices {
            answers.initializeElement(at: index, to: jobs[index].answer(batchError: batchError))
        }
    }

    consuming func deliver() {
        for index in answers.indices {
            answers.moveElement(from: index).deliver()
        }
        answers.deallocate()
        discard self
    }

    deinit {
        // Only when dropped undelivered (no path does): free the answers without resuming.
        answers.deinitialize()
        answers.deallocate()
    }
}

/// How a job ended, with the caller's result type erased.
///
/// The writer calls jobs through `any WriterJob`, so a job's methods run unspecialized; every
/// value whose layout depends on the result type (`Result<Submission<R>, Error>?`, a
/// continuation of `Submission<R>`) costs type-metadata lookups on each touch — ~9 % of the
/// writer at C = 256. Only the caller, in `EventStore.submit`, turns this back into `Submission<R>`.
enum JobOutcome: Sendable {
    case completed(any Sendable, position: UInt64)
    case replayed(response: [UInt8], position: UInt64)
}

/// A submitted decide step with its caller's continuation.
final class SubmittedJob<R: Sendable>: WriterJob, @unchecked Sendable {
    // @unchecked: the mutable fields are touched only by the writer thread, between enqueue
    // (which happens-before, through the queue's lock) and the single resume of `continuation`.
    private let claim: IdempotencyClaim?
    private let decide: @Sendable (WriteContext) throws -> Decision<R>
    private let remember: (@Sendable (R, UInt64) -> [UInt8])?
    /// Unchecked for speed (a checked one allocates and audits every resume): the writer takes
    /// one `answer` per job and delivers it once — from `enqueue` when the store is closing,
    /// else after the job's batch committed or failed.
    private let continuation: UnsafeContinuation<JobOutcome, any Error>
    /// How the job ended, kept as plain optionals until `answer` builds the one `Result` the
    /// caller is resumed with: assigning and copying a `Result<JobOutcome, any Error>?` (an enum
    /// of enums around an existential) went through outlined generic copies that were ~8 % of
    /// the writer at C = 256.
    private var value: (any Sendable)?
    private var replayedResponse: [UInt8]?
    private var position: UInt64 = 0
    private var failure: (any Error)?
    private var rollbackHook: (() -> Void)?
    private var committedHook: (() -> Void)?
    /// The written plan, kept so that its events are freed with the job, by the caller.
    private var plan: WritePlan?
    /// Whether `run` ran before: only a re-run (after the map grew) has an ending to forget.
    /// Clearing the fields on every first run was ~3 % of the append writer, through the
    /// generic value witnesses of the empty existential.
    private var hasRun = false

    init(claim: IdempotencyClaim?, decide: @escaping @Sendable (WriteContext) throws -> Decision<R>,
         remember: (@Sendable (R, UInt64) -> [UInt8])?, continuation: UnsafeContinuation<JobOutcome, any Error>) {
        self.claim = claim
        self.decide = decide
        self.remember = remember
        self.continuation = continuation
    }

    func run(in batch: inout Batch) throws {
        // A batch re-run after the map grew runs its jobs again: forget the last run's ending.
        if hasRun {
            value = nil
            replayedResponse = nil
            failure = nil
            rollbackHook = nil
            committedHook = nil
            plan = nil
        }
        hasRun = true
        // The claim's key as bytes with its hash, made once for the lookup and the remembering.
        var claimedKey: IdempotencyIndex.Key?
        if let claim {
            do {
                try batch.checkIdempotencyKey(claim.key)
            } catch {
                failure = error
                return
            }
            let key = batch.idempotency.key(claim.key)
            claimedKey = key
            if let entry = try batch.idempotencyEntry(for: key) {
                if entry.matches(claim.fingerprint) {
                    replayedResponse = entry.response
                    position = entry.position
                } else {
                    failure = EventStoreError.idempotencyKeyReused(key: claim.key)
                }
                return
            }
        }
        let decided: Decision<R>
        do {
            decided = try decide(batch.context)
        } catch {
            failure = error
            return
        }
        let appended: AppendOutcome
        do {
            appended = try batch.stage(decided.plan)
        } catch let error as EventStoreError {
            failure = error
            return
        }
        rollbackHook = decided.rollback
        committedHook = decided.committed
        plan = decided.plan
        let result: R
        do {
            result = try decided.staged(appended)
        } catch {
            // The plan is written; a failing `staged` is a bug in the caller. Fail the batch so
            // nothing half-understood becomes durable.
            throw EventStoreError.invalidArgument("staged hook failed: \(error)")
        }
        if let claim, let claimedKey, let remember {
            let entry = IdempotencyEntry(createdAtMillis: batch.batchMillis, fingerprint: claim.fingerprint,
                                         position: appended.lastPosition, response: remember(result, appended.lastPosition))
            try batch.remember(entry, key: claimedKey)
        }
        value = result
        position = appended.lastPosition
    }

    func rollback() {
        rollbackHook?()
        rollbackHook = nil
        committedHook = nil
    }

    func committed() {
        committedHook?()
    }

    func answer(batchError: EventStoreError?) -> JobAnswer {
        let outcome: Result<JobOutcome, any Error>
        if let batchError {
            outcome = .failure(batchError)
        } else if let failure = failure.take() {
            outcome = .failure(failure)
        } else if let value = value.take() {
            outcome = .success(.completed(value, position: position))
        } else if let response = replayedResponse.take() {
            outcome = .success(.replayed(response: response, position: position))
        } else {
            outcome = .failure(EventStoreError.invalidArgument("job finished without running"))
        }
        return JobAnswer(continuation: continuation, outcome: outcome)
    }
}
