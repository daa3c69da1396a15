import EventStore
import Foundation
import LMDB
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Applies the log to every projection: subscribes from the lowest checkpoint, decodes each
/// batch once, and writes it — every projection's changes and checkpoint — in one read-model
/// transaction on its own writer thread. Exactly once across crashes; woken by the log's
/// writer, never polling.
///
/// A projection that throws stops at that event (its checkpoint stays before it), reports the
/// position and error, and the others carry on; it is retried on the next start.
public final class ProjectionRunner: Service, Sendable {
    let store: EventStore
    public let readModels: ReadModelStore
    public let projections: [any Projection]
    /// At the request handlers' priority, on purpose: below them (nice 5) it gained a few per
    /// cent of orders/s in some rounds, but under CPU overload it fell further and further
    /// behind (42,000 events in 20 s, where nice 0 stayed within 450), and raising it again
    /// when behind needs a privilege the server does not have.
    let writer = ThreadPool(threads: 1, name: "ol-readmodels")
    let logger: Logger
    let batchSize: Int

    private struct Progress {
        var failures: [String: (position: UInt64, error: String)] = [:]
        var rebuilding: Set<String> = []
    }

    private let progress = Mutex(Progress())
    private let notifiers: [String: ProgressNotifier]
    /// The lowest position every running projection has applied.
    public let applied: ProgressNotifier
    private let lagGauges: [String: Gauge]
    /// Each projection's documents from its last committed batch (used on `writer` only).
    private let carries: [String: DocumentCarry]

    public init(store: EventStore, readModels: ReadModelStore, projections: [any Projection], batchSize: Int = 2000,
                logger: Logger = Logger(label: "orderlog.projections")) throws {
        self.store = store
        self.readModels = readModels
        self.projections = projections
        self.logger = logger
        self.batchSize = batchSize
        for projection in projections {
            if let earlier = try readModels.register(projection) {
                logger.notice("read model \(projection.name) was written at layout \(earlier), this build writes layout \(projection.layoutVersion): emptied, rebuilding it from the log")
            }
        }
        var notifiers: [String: ProgressNotifier] = [:]
        var gauges: [String: Gauge] = [:]
        var lowest = UInt64.max
        let checkpoints = try readModels.checkpoints(projections.map(\.name))
        for projection in projections {
            let checkpoint = checkpoints[projection.name] ?? 0
            notifiers[projection.name] = ProgressNotifier(head: checkpoint)
            gauges[projection.name] = Gauge(label: "orderlog_projection_lag_events", dimensions: [("projection", projection.name)])
            lowest = min(lowest, checkpoint)
        }
        self.notifiers = notifiers
        self.lagGauges = gauges
        carries = Dictionary(uniqueKeysWithValues: projections.map { ($0.name, DocumentCarry()) })
        applied = ProgressNotifier(head: lowest == .max ? 0 : lowest)
    }

    // MARK: Service

    public func run() async throws {
        let start = projections.map { notifiers[$0.name]?.head ?? 0 }.min() ?? 0
        defer { writer.shutdown() }
        // Graceful shutdown cancels the loop: the subscription's wait ends, the batch being
        // applied (a synchronous transaction on the writer thread) still completes.
        try await cancelWhenGracefulShutdown {
            let incoming = self.store.committedBatches(
                from: start + 1, batchSize: self.batchSize, catchUpBatchSize: 10 * self.batchSize, linger: .milliseconds(2),
                handed: { event in Incoming.decoding(event, position: event.position, type: event.type, ProjectedEvent.init) },
                stored: { record in Incoming.decoding(record, position: record.position, type: record.type, ProjectedEvent.init) },
                position: \.position)
            var batches = incoming.makeAsyncIterator()
            var received = try await batches.next()
            while let batch = received {
                let (events, undecodable) = Self.decoded(batch)
                if let undecodable {
                    // An event no projection can read stops them all at it, but the server
                    // stays up: reads answer from what was applied (and report the failure),
                    // commands go on being written.
                    try await self.apply(events)
                    self.stopAll(at: undecodable.position, error: "undecodable \(undecodable.type) event: \(undecodable.error)")
                    await Self.waitForCancellation()
                    return
                }
                if batch.count >= self.batchSize {
                    // A full batch: the runner is behind the log (starting after downtime, or
                    // outrun). Reading and decoding the next batch while the read-model thread
                    // applies this one overlaps the two halves of catching up. Following the
                    // writer, it takes one batch at a time, so its batches do not shrink.
                    async let applying: Void = self.apply(events)
                    received = try await batches.next()
                    try await applying
                } else {
                    try await self.apply(events)
                    received = try await batches.next()  // nil once cancelled
                }
                if Task.isCancelled { break }  // shutting down: what was read but not applied waits for the next start
            }
        }
    }

    /// A batch's events up to the first that could not be decoded, and that one.
    private static func decoded(_ batch: [Incoming]) -> (events: [ProjectedEvent], undecodable: (position: UInt64, type: String, error: String)?) {
        var events: [ProjectedEvent] = []
        events.reserveCapacity(batch.count)
        for item in batch {
            switch item {
            case .event(let event): events.append(event)
            case .undecodable(let position, let type, let error): return (events, (position, type, error))
            }
        }
        return (events, nil)
    }

    /// An event of the log as the runner receives it: decoded once, on the subscription's side,
    /// or the reason it could not be.
    private enum Incoming: Sendable {
        case event(ProjectedEvent)
        case undecodable(position: UInt64, type: String, error: String)

        /// `source` decoded by `decode`. Passed in, not captured by a closure: a captured event
        /// from the commit feed was copied into the closure's context (a retain and release of
        /// each of its strings and its attachment, per event).
        static func decoding<Source>(_ source: Source, position: UInt64, type: String, _ decode: (Source) throws -> ProjectedEvent) -> Incoming {
            do {
                return .event(try decode(source))
            } catch {
                return .undecodable(position: position, type: type, error: String(describing: error))
            }
        }

        var position: UInt64 {
            switch self {
            case .event(let event): event.position
            case .undecodable(let position, _, _): position
            }
        }
    }

    private func stopAll(at position: UInt64, error: String) {
        logger.critical("projections stopped at position \(position): \(error)")
        progress.withLock { progress in
            for projection in projections where (notifiers[projection.name]?.head ?? 0) < position {
                progress.failures[projection.name] = (position, error)
            }
        }
    }

    private static func waitForCancellation() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Applies decoded events (any batch, in order) to every running projection that has not
    /// seen them yet.
    func apply(_ events: [ProjectedEvent]) async throws {
        guard let last = events.last?.position else { return }
        var excluded: Set<String> = progress.withLock { Set($0.failures.keys) }
        var storageFailures = 0
        while true {
            let skip = excluded
            let outcome: BatchOutcome
            do {
                outcome = try await writer.run { [self] in try self.applySynchronously(events, skipping: skip) }
            } catch let error as LMDBError where error.isStorageFailure {
                // A full disk (or a failing one) is not the projections' fault: nothing was
                // committed, so wait for space and apply the same batch again. The read models
                // fall behind meanwhile, which /ready and the lag gauge report.
                if storageFailures == 0 { logger.critical("read models cannot be written, retrying every second: \(error)") }
                storageFailures += 1
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }  // shutting down: the checkpoint stays before this batch
                continue
            }
            if storageFailures > 0 { logger.notice("read models are written again after \(storageFailures) failed attempts") }
            storageFailures = 0
            switch outcome {
            case .applied(let checkpoints):
                publish(checkpoints, upTo: last)
                return
            case .failed(let name, let position, let error):
                logger.error("projection \(name) stopped at position \(position): \(error)")
                progress.withLock { $0.failures[name] = (position, error) }
                excluded.insert(name)
            }
        }
    }

    private enum BatchOutcome: Sendable {
        /// With each projection's checkpoint as the batch's transaction left it, in order.
        case applied(checkpoints: [(name: String, position: UInt64)])
        case failed(name: String, position: UInt64, error: String)
    }

    private func applySynchronously(_ events: [ProjectedEvent], skipping: Set<String>) throws -> BatchOutcome {
        guard let last = events.last?.position else { return .applied(checkpoints: []) }
        var failure: BatchOutcome?
        var checkpoints: [(name: String, position: UInt64)] = []
        checkpoints.reserveCapacity(projections.count)
        do {
            try readModels.environment.write { txn in
                checkpoints.removeAll(keepingCapacity: true)  // the transaction may run again (a grown map)
                for projection in projections where !skipping.contains(projection.name) {
                    let handles = try readModels.handles(projection.name)
                    let checkpointKey = ReadModelStore.checkpointKey(projection.name, generation: handles.generation)
                    let checkpoint = try txn.get(readModels.meta, checkpointKey).flatMap { BigEndian.uint64($0) } ?? 0
                    guard checkpoint < last else {
                        checkpoints.append((projection.name, checkpoint))
                        continue
                    }
                    let context = ProjectionContext(transaction: txn, databases: handles.databases, carry: carries[projection.name])
                    /// Runs `body`; a failure that is not the environment's stops this projection at `position`.
                    func attributed(to position: UInt64, _ body: () throws -> Void) throws {
                        do {
                            try body()
                        } catch let error as LMDBError where error.isMapFull || error.isStorageFailure {
                            throw error  // the environment's trouble, not the projection's: grow or wait, then retry
                        } catch {
                            failure = .failed(name: projection.name, position: position, error: String(describing: error))
                            throw error
                        }
                    }
                    for event in events where event.position > checkpoint {
                        try attributed(to: event.position) { try projection.apply(event, context) }
                    }
                    // Finishing the batch fails the whole batch: it stops where the batch began.
                    let first = events.first { $0.position > checkpoint }?.position ?? last
                    try attributed(to: first) { try context.flush(projection) }
                    try txn.put(readModels.meta, checkpointKey, BigEndian.bytes(last))
                    checkpoints.append((projection.name, last))
                }
            }
            for carry in carries.values { carry.commit() }
        } catch {
            if let failure { return failure }
            throw error
        }
        return .applied(checkpoints: checkpoints)
    }

    /// Runs after each applied batch, with the checkpoints its transaction committed: reading
    /// them back (a read transaction, a key built and looked up per projection) was ~10k
    /// instructions a batch on the runner's task (callgrind, hot-sku orders).
    private func publish(_ checkpoints: [(name: String, position: UInt64)], upTo position: UInt64) {
        let failed = progress.withLock { Set($0.failures.keys) }
        let head = (try? store.headPosition) ?? position
        var lowest = UInt64.max
        for (name, checkpoint) in checkpoints where !failed.contains(name) {
            guard let notifier = notifiers[name] else { continue }
            notifier.publish(head: checkpoint)
            lowest = min(lowest, checkpoint)
            lagGauges[name]?.record(Double(head > checkpoint ? head - checkpoint : 0))
        }
        applied.publish(head: lowest == .max ? position : lowest)
    }

    // MARK: Read-your-writes

    /// Waits until `projection` (or, without one, every running projection) has applied
    /// `position`; false after `timeout`.
    public func waitUntil(position: UInt64, projection: String? = nil, timeout: Duration = .seconds(3)) async -> Bool {
        let notifier = projection.flatMap { notifiers[$0] } ?? applied
        return await notifier.wait(untilAtLeast: position, timeout: timeout)
    }

    /// The position `projection` has applied (its live checkpoint).
    public func position(of projection: String) -> UInt64 {
        notifiers[projection]?.head ?? 0
    }

    // MARK: Status

    public func statuses() throws -> [ProjectionStatus] {
        let head = try store.headPosition
        let snapshot = progress.withLock { $0 }
        let checkpoints = try readModels.checkpoints(projections.map(\.name))
        return projections.map { projection in
            let position = checkpoints[projection.name] ?? 0
            let failure = snapshot.failures[projection.name]
            let state: ProjectionStatus.State = failure != nil ? .failed : snapshot.rebuilding.contains(projection.name) ? .rebuilding : .running
            return ProjectionStatus(name: projection.name, position: position, lag: head > position ? head - position : 0, status: state,
                                    error: failure.map { "position \($0.position): \($0.error)" })
        }
    }

    /// True when every projection is running and within `maxLag` events of the log's head.
    public func isReady(maxLag: UInt64 = 1000) -> Bool {
        guard let statuses = try? statuses() else { return false }
        return statuses.allSatisfy { $0.status != .failed && $0.lag <= maxLag }
    }

    // MARK: Online rebuild

    /// Rebuilds `name` from position 0 beside the live generation, then switches to it in one
    /// exclusive transaction; queries keep answering from the old one until then.
    public func rebuild(_ name: String, chunk: Int = 5000) async throws {
        guard let projection = projections.first(where: { $0.name == name }) else { throw ProjectionError.unexpected("no projection \(name)") }
        progress.withLock { _ = $0.rebuilding.insert(name) }
        defer { progress.withLock { _ = $0.rebuilding.remove(name) } }
        let live = try readModels.handles(name)
        let generation = live.generation + 1
        let fresh = try await writer.run { [self] in try self.prepareGeneration(projection, generation: generation) }
        var position: UInt64 = 0
        while true {
            var read: [ProjectedEvent] = []
            read.reserveCapacity(chunk)
            try store.forEachRecordView(from: position + 1, limit: chunk) { read.append(try ProjectedEvent($0)) }
            let events = read
            let switched = try await writer.run { [self] in
                try self.applyToGeneration(projection, events, databases: fresh, generation: generation)
            }
            if switched { break }
            position = events.last?.position ?? position
        }
        let checkpoint = try readModels.checkpoint(name)
        notifiers[name]?.publish(head: checkpoint)
        progress.withLock { _ = $0.failures.removeValue(forKey: name) }
        logger.info("projection \(name) rebuilt as generation \(generation) at position \(checkpoint)")
    }

    private func prepareGeneration(_ projection: any Projection, generation: UInt64) throws -> [String: Database] {
        let databases = try readModels.openDatabases(projection, generation: generation)
        try readModels.environment.write { txn in
            for db in databases.values { try txn.drop(db) }
            try txn.put(readModels.meta, ReadModelStore.checkpointKey(projection.name, generation: generation), BigEndian.bytes(0))
        }
        return databases
    }

    /// Applies a chunk to the new generation; switches to it once it has caught up with the
    /// live one (this runs on the writer thread, so the live generation cannot move meanwhile).
    private func applyToGeneration(_ projection: any Projection, _ events: [ProjectedEvent], databases: [String: Database], generation: UInt64) throws -> Bool {
        let env = readModels.environment
        let meta = readModels.meta
        let liveGeneration = try readModels.handles(projection.name).generation
        let liveCheckpoint = try env.read { txn in
            try txn.get(meta, ReadModelStore.checkpointKey(projection.name, generation: liveGeneration)).flatMap { BigEndian.uint64($0) } ?? 0
        }
        try env.write { txn in
            let context = ProjectionContext(transaction: txn, databases: databases)
            for event in events { try projection.apply(event, context) }
            try context.flush(projection)
            if let last = events.last?.position {
                try txn.put(meta, ReadModelStore.checkpointKey(projection.name, generation: generation), BigEndian.bytes(last))
            }
        }
        let rebuilt = try env.read { txn in
            try txn.get(meta, ReadModelStore.checkpointKey(projection.name, generation: generation)).flatMap { BigEndian.uint64($0) } ?? 0
        }
        guard rebuilt >= liveCheckpoint || events.isEmpty else { return false }
        // Caught up (or the log has nothing more): switch while no reader holds a transaction.
        let old = try readModels.handles(projection.name)
        try env.writeExclusive(
            { txn in
                try txn.put(meta, ReadModelStore.generationKey(projection.name), BigEndian.bytes(generation))
                try txn.delete(meta, ReadModelStore.checkpointKey(projection.name, generation: old.generation))
                for db in old.databases.values { try txn.drop(db, delete: true) }
            },
            afterCommit: {
                readModels.setHandles(projection.name, ReadModelStore.Handles(generation: generation, databases: databases))
                carries[projection.name]?.discard()
            })
        return true
    }
}
