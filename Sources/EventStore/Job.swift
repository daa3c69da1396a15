/// A unit of work queued for the writer, type-erased so one queue holds every kind.
protocol WriterJob: AnyObject, Sendable {
    /// Decides and stages into the batch. Throws only for batch-level failures (LMDB errors
    /// while writing); everything else becomes this job's own outcome.
    func run(in batch: inout Batch) throws
    /// The batch failed after this job staged: undo derived state.
    func rollback()
    /// The batch is durable.
    func committed()
    /// Answers the caller: with its outcome, or with `error` when the batch failed.
    func finish(batchError: EventStoreError?)
}

/// A submitted decide step with its caller's continuation.
final class SubmittedJob<R: Sendable>: WriterJob, @unchecked Sendable {
    // @unchecked: the mutable fields are touched only by the writer thread, between enqueue
    // (which happens-before, through the queue's lock) and the single resume of `continuation`.
    private let claim: IdempotencyClaim?
    private let decide: @Sendable (WriteContext) throws -> Decision<R>
    private let remember: (@Sendable (R, UInt64) -> [UInt8])?
    private let continuation: CheckedContinuation<Submission<R>, any Error>
    private var outcome: Result<Submission<R>, any Error>?
    private var decision: Decision<R>?

    init(claim: IdempotencyClaim?, decide: @escaping @Sendable (WriteContext) throws -> Decision<R>,
         remember: (@Sendable (R, UInt64) -> [UInt8])?, continuation: CheckedContinuation<Submission<R>, any Error>) {
        self.claim = claim
        self.decide = decide
        self.remember = remember
        self.continuation = continuation
    }

    func run(in batch: inout Batch) throws {
        outcome = nil
        decision = nil
        if let claim, let entry = try batch.idempotencyEntry(for: claim.key) {
            if entry.matches(claim.fingerprint) {
                outcome = .success(.replayed(response: entry.response, position: entry.position))
            } else {
                outcome = .failure(EventStoreError.idempotencyKeyReused(key: claim.key))
            }
            return
        }
        let decided: Decision<R>
        do {
            decided = try decide(batch.context)
        } catch {
            outcome = .failure(error)
            return
        }
        let appended: AppendOutcome
        do {
            appended = try batch.stage(decided.plan)
        } catch let error as EventStoreError {
            outcome = .failure(error)
            return
        }
        decision = decided
        let result: R
        do {
            result = try decided.staged(appended)
        } catch {
            // The plan is written; a failing `staged` is a bug in the caller. Fail the batch so
            // nothing half-understood becomes durable.
            throw EventStoreError.invalidArgument("staged hook failed: \(error)")
        }
        if let claim, let remember {
            let entry = IdempotencyEntry(createdAtMillis: batch.batchMillis, fingerprint: claim.fingerprint,
                                         position: appended.lastPosition, response: remember(result, appended.lastPosition))
            try batch.remember(entry, key: claim.key)
        }
        outcome = .success(.completed(result, position: appended.lastPosition))
    }

    func rollback() {
        decision?.rollback()
        decision = nil
    }

    func committed() {
        decision?.committed()
    }

    func finish(batchError: EventStoreError?) {
        if let batchError {
            continuation.resume(throwing: batchError)
        } else if let outcome {
            continuation.resume(with: outcome)
        } else {
            continuation.resume(throwing: EventStoreError.invalidArgument("job finished without running"))
        }
    }
}
