import EventStore
import Foundation
import LMDB

/// Builds read models from the log synchronously, outside the server: for
/// `orderlog-replay rebuild` and the rebuild benchmark. Same projections, same contexts and
/// checkpoints as the runner, so the result digests the same.
public enum Rebuilder {
    /// Applies events `1…upTo` (or to the head) to `projections` in `target`, in chunks of
    /// `chunk` events per transaction. Returns how many events were applied.
    ///
    /// Two stages on two threads: one reads and decodes the next chunk (straight from the
    /// log's pages, see `RecordView`) while the caller's thread applies the current one.
    @discardableResult
    public static func build(_ projections: [any Projection], into target: ReadModelStore, from store: EventStore, upTo: UInt64? = nil,
                             chunk: Int = 10_000, progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        try buildMeasured(projections, into: target, from: store, upTo: upTo, chunk: chunk, progress: progress).applied
    }

    /// What a build did and what each of its two stages cost.
    public struct Outcome: Sendable {
        public let applied: UInt64
        /// CPU seconds of the reading-and-decoding thread, and of the applying (calling)
        /// thread: the one near the wall time sets the rate; with both well below it, the
        /// two cores' total does.
        public let readingCPUSeconds: Double
        public let applyingCPUSeconds: Double
    }

    /// `build`, with the CPU each stage used.
    public static func buildMeasured(_ projections: [any Projection], into target: ReadModelStore, from store: EventStore, upTo: UInt64? = nil,
                                     chunk: Int = 10_000, progress: ((UInt64) -> Void)? = nil) throws -> Outcome {
        let applyingStarted = currentThreadCPUSeconds()
        for projection in projections { try target.register(projection) }
        let end = try upTo ?? store.headPosition
        let start = try target.checkpoints(projections.map(\.name)).values.min() ?? 0
        let chunks = DecodedChunks(store: store, from: start, to: end, chunk: chunk)
        defer { chunks.stop() }
        let carries = projections.map { _ in DocumentCarry() }
        var applied: UInt64 = 0
        while let events = try chunks.next() {
            guard let last = events.last?.position else { break }
            var contexts: [ProjectionContext] = []
            try target.environment.write { txn in
                contexts.removeAll()  // a retried transaction starts again
                for (projection, carry) in zip(projections, carries) {
                    let handles = try target.handles(projection.name)
                    let checkpoint = try target.checkpoint(projection.name, in: txn)
                    let context = ProjectionContext(transaction: txn, databases: handles.databases, carry: carry)
                    contexts.append(context)
                    for event in events where event.position > checkpoint { try projection.apply(event, context) }
                    try context.flush(projection)
                    try txn.put(target.meta, ReadModelStore.checkpointKey(projection.name, generation: handles.generation), BigEndian.bytes(last))
                }
            }
            for carry in carries { carry.commit() }
            applied += UInt64(events.count)
            progress?(last)
            // The chunk's events and documents are freed by the reading thread, which has time
            // to spare: freeing them here was a sixth of the applying thread.
            chunks.dispose([events, contexts])
        }
        let applying = currentThreadCPUSeconds() - applyingStarted
        chunks.stop()
        return Outcome(applied: applied, readingCPUSeconds: chunks.cpuSeconds, applyingCPUSeconds: applying)
    }
}

/// The read-and-decode stage of a rebuild: a thread of its own that stays up to two chunks
/// ahead of the consumer.
private final class DecodedChunks: @unchecked Sendable {
    // @unchecked: `ready`, `exhausted`, `finished`, `stopping` and `garbage` are guarded by `condition`.
    private let condition = NSCondition()
    private var ready: [Result<[ProjectedEvent], any Error>] = []
    /// No more chunks will come (the range is read, or reading failed).
    private var exhausted = false
    /// The reading thread has ended.
    private var finished = false
    private var stopping = false
    private let depth = 2
    /// What the consumer is done with, to be released on the reading thread.
    private var garbage: [Any] = []
    /// The reading thread's CPU seconds, set when it ends (read after `stop`).
    private var readingCPU: Double = .nan

    init(store: EventStore, from start: UInt64, to end: UInt64, chunk: Int) {
        let thread = Thread { [self] in
            nameCurrentThread("ol-rebuild-read")
            self.produce(store: store, from: start, to: end, chunk: chunk)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func produce(store: EventStore, from start: UInt64, to end: UInt64, chunk: Int) {
        var position = start
        while position < end {
            let result = Result { () throws -> [ProjectedEvent] in
                var events: [ProjectedEvent] = []
                events.reserveCapacity(chunk)
                try store.forEachRecordView(from: position + 1, limit: Int(min(UInt64(chunk), end - position))) { record in
                    events.append(try ProjectedEvent(record))
                }
                return events
            }
            condition.lock()
            waitFreeingGarbage { ready.count >= depth }
            if stopping {
                condition.unlock()
                break
            }
            ready.append(result)
            condition.broadcast()
            condition.unlock()
            guard case .success(let events) = result, let last = events.last?.position else { break }
            position = last
        }
        // Read to the end: go on freeing what the consumer hands back until it stops, so the
        // last chunks it applies are not freed on its thread (at the end of a 100,000-event
        // rebuild that was 6 % of the applying thread's instructions, callgrind).
        condition.lock()
        exhausted = true
        condition.broadcast()
        waitFreeingGarbage { true }
        // What was read ahead but never taken (the consumer stopped early) goes too.
        garbage.append(ready)
        ready = []
        releaseGarbage()
        condition.unlock()
        let cpu = currentThreadCPUSeconds()
        condition.lock()
        readingCPU = cpu
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The reading thread's CPU seconds (NaN until it has ended).
    var cpuSeconds: Double {
        condition.lock()
        defer { condition.unlock() }
        return readingCPU
    }

    /// Waits (with the lock held) while `busy()` and the consumer has not stopped us, freeing
    /// what it hands back meanwhile.
    private func waitFreeingGarbage(while busy: () -> Bool) {
        while busy() && !stopping {
            if garbage.isEmpty {
                condition.wait()
            } else {
                releaseGarbage()
            }
        }
    }

    /// Releases what the consumer handed back, outside the lock (called with it held).
    private func releaseGarbage() {
        var taken: [Any] = []
        swap(&taken, &garbage)
        condition.unlock()
        taken.removeAll()
        condition.lock()
    }

    /// Hands back what the consumer is done with (a chunk's events, its contexts), so the
    /// reading thread frees it.
    func dispose(_ done: Any) {
        condition.lock()
        garbage.append(done)
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk in position order; nil once the range is done. Rethrows a read or
    /// decoding failure at the chunk it happened in.
    func next() throws -> [ProjectedEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !exhausted { condition.wait() }
        guard !ready.isEmpty else { return nil }
        let result = ready.removeFirst()
        condition.broadcast()
        return try result.get()
    }

    /// Stops the reader (the consumer failed or is done) and waits for it to end, so nothing
    /// reads the store after `build` returns.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
