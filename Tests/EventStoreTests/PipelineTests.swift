import CanonicalJSON
import EventStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// The writer decides the next batch while the committer makes the one before durable: what
/// the next batch reads must include the batch in flight, and a commit that fails must take
/// the batch decided on top of it down too.
@Suite struct PipelineTests {
    /// A batch of `count` events of 8 KB on `big-1` (plus `extra`).
    private func bigPlan(count: Int = 2000, extra: [StreamAppend] = [], snapshots: [SnapshotWrite] = [],
                          sideTableWrites: [SideTableWrite] = []) throws -> WritePlan {
        let pad = String(repeating: "z", count: 8000)
        let big = try (0..<count).map { _ in try event("Big", ["pad": .string(pad)]) }
        return WritePlan(appends: [StreamAppend(streamId: "big-1", expectedVersion: .noStream, events: big)] + extra,
                         snapshots: snapshots, sideTableWrites: sideTableWrites)
    }

    private func makeStore(_ dir: TemporaryDirectory, gate: CommitGate) throws -> EventStore {
        var configuration = EventStore.Configuration()
        configuration.sideTables = ["t"]
        configuration.onCommitStart = { gate.pass(firstPosition: $0) }
        return try EventStore(directory: dir.path, configuration: configuration)
    }

    /// Holds the commit of the batch starting at the armed position until `open()`: so the
    /// next batch is decided while that one is in flight, however loaded the machine is.
    final class CommitGate: Sendable {
        private let armed = Mutex<UInt64?>(nil)
        private let opened = DispatchSemaphore(value: 0)

        func arm(at position: UInt64) { armed.withLock { $0 = position } }
        func open() { opened.signal() }

        func pass(firstPosition: UInt64) {
            guard armed.withLock({ armed in
                guard armed == firstPosition else { return false }
                armed = nil
                return true
            }) else { return }
            _ = opened.wait(timeout: .now() + 30)
        }
    }

    private static func key(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Keeps the writer busy deciding one event for `milliseconds`, and returns once it
    /// started: what is submitted meanwhile queues up and is taken as one batch. (A lone job is
    /// committed on the writer's own thread, without the pipeline; these tests need two jobs in
    /// the first batch so that it goes to the committer.)
    private func occupyWriter(_ store: EventStore, milliseconds: UInt32 = 500) async throws -> Task<Void, any Error> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let occupying = try event("Occupied")
        let task = Task {
            _ = try await store.submit { _ in
                signal.yield()
                usleep(milliseconds * 1000)
                return Decision(plan: WritePlan(appends: [StreamAppend(streamId: "occupy-1", expectedVersion: .any, events: [occupying])]),
                                staged: { _ in })
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        return task
    }

    /// A job to share the slow job's batch; answers with its position.
    private func companion(_ store: EventStore) -> Task<UInt64, any Error> {
        Task { try await appendOne(store, stream: "companion-1").lastPosition }
    }

    /// What a decide step saw of the log.
    private struct Seen: Sendable {
        var committedHead: UInt64 = 0
        var lastPosition: UInt64 = 0
        var head: StreamHead?
        var versions: [UInt64] = []
        var snapshot: (version: UInt64, state: [UInt8])?
        var removed: [UInt8]?
        var added: [UInt8]?
        var entries: [[UInt8]] = []
        var recordsAfterCommitted = 0
    }

    @Test func theNextBatchReadsTheBatchBeingCommittedAsIfItWereCommitted() async throws {
        let dir = TemporaryDirectory()
        let gate = CommitGate()
        let store = try makeStore(dir, gate: gate)
        defer { store.close() }
        _ = try await appendOne(store, stream: "s-1")
        _ = try await store.submit { _ in
            Decision(plan: WritePlan(sideTableWrites: [
                SideTableWrite(table: "t", key: Self.key("u/1"), operation: .put([1])),
                SideTableWrite(table: "t", key: Self.key("u/2"), operation: .put([2])),
            ]), staged: { _ in })
        }
        let before = try store.headPosition

        let (decided, signal) = AsyncStream<Void>.makeStream()
        let plan = try bigPlan(
            extra: [StreamAppend(streamId: "s-1", expectedVersion: .exact(1), events: [try event()])],
            snapshots: [SnapshotWrite(streamId: "s-1", version: 2, state: [7])],
            sideTableWrites: [SideTableWrite(table: "t", key: Self.key("u/3"), operation: .put([3])),
                              SideTableWrite(table: "t", key: Self.key("u/1"), operation: .delete)])
        let claim = IdempotencyClaim(key: "k-A", fingerprint: Array(repeating: 5, count: 32))
        // The writer's event comes next, then the batch held at its commit.
        gate.arm(at: try store.headPosition + 2)
        let occupied = try await occupyWriter(store)
        let first = Task {
            try await store.submit(idempotency: claim, remember: { _, _ in Self.key("response A") }) { _ in
                signal.yield()
                return Decision(plan: plan, staged: { $0.lastPosition })
            }
        }
        let other = companion(store)
        var iterator = decided.makeAsyncIterator()
        _ = await iterator.next()

        // Decided while the first batch is staged or committed, never before it is staged.
        let seen = Locked(Seen())
        let second = Task {
            try await store.submit { context in
                var view = Seen()
                view.committedHead = try store.headPosition
                view.lastPosition = context.lastPosition
                view.head = try context.head(of: "s-1")
                view.versions = try context.readStream("s-1").map(\.version)
                view.snapshot = try context.snapshot(of: "s-1")
                view.removed = try context.sideTableValue("t", key: Self.key("u/1"))
                view.added = try context.sideTableValue("t", key: Self.key("u/3"))
                view.entries = try context.sideTableEntries("t", prefix: Self.key("u/")).map(\.key)
                var count = 0
                try context.forEachRecord(from: before + 1) { _ in count += 1 }
                view.recordsAfterCommitted = count
                seen.withLock { $0 = view }
                gate.open()
                let version = view.head?.version ?? 0
                return Decision(plan: WritePlan(appends: [StreamAppend(streamId: "s-1", expectedVersion: .exact(version), events: [try event()])]),
                                staged: { $0.lastPosition })
            }
        }
        let retried = Task {
            try await store.submit(idempotency: claim, remember: { (_: UInt64, _) in [] }) { _ in
                Issue.record("a remembered key must not be decided again")
                return Decision(plan: WritePlan(), staged: { $0.lastPosition })
            }
        }

        try await occupied.value
        let companionLast = try await other.value
        guard case .completed(let firstLast, _) = try await first.value else { throw Unexpected.replayed }
        guard case .completed(let secondLast, _) = try await second.value else { throw Unexpected.replayed }
        let view = seen.withLock { $0 }
        let batchLast = max(firstLast, companionLast)
        #expect(batchLast == before + 2003)
        // The first batch was not committed when the second was decided, yet it saw all of it.
        #expect(view.committedHead < batchLast)
        #expect(view.lastPosition == batchLast)
        #expect(view.head == StreamHead(version: 2, position: firstLast))
        #expect(view.versions == [1, 2])
        #expect(view.snapshot?.version == 2 && view.snapshot?.state == [7])
        #expect(view.removed == nil)
        #expect(view.added == [3])
        #expect(view.entries == [Self.key("u/2"), Self.key("u/3")])
        #expect(view.recordsAfterCommitted == 2003)
        #expect(secondLast == batchLast + 1)
        switch try await retried.value {
        case .replayed(let response, let position):
            #expect(response == Self.key("response A"))
            #expect(position == firstLast)
        case .completed:
            Issue.record("the retry was decided again")
        }
        #expect(try store.read(stream: "s-1").map(\.version) == [1, 2, 3])
        #expect(try store.sideTableEntries("t", prefix: Self.key("u/")).map(\.key) == [Self.key("u/2"), Self.key("u/3")])
        let head = try store.headPosition
        #expect(try store.verify() == .verified(events: head, head: try store.readAll(from: head, limit: 1)[0].hash))
    }

    @Test func aFailedCommitFailsTheBatchDecidedOnTopOfItAndTheLogGoesOnFromBeforeBoth() async throws {
        let dir = TemporaryDirectory()
        let gate = CommitGate()
        let store = try makeStore(dir, gate: gate)
        defer { store.close() }
        _ = try await appendOne(store, stream: "s-1")
        let rolledBack = Locked<[String]>([])

        // LMDB refuses keys over 511 bytes: the committer's transaction fails after it wrote
        // the records into its pages.
        let (decided, signal) = AsyncStream<Void>.makeStream()
        let plan = try bigPlan(extra: [StreamAppend(streamId: "s-1", expectedVersion: .exact(1), events: [try event()])],
                                sideTableWrites: [SideTableWrite(table: "t", key: Array(repeating: 65, count: 600), operation: .put([1]))])
        // The writer's event comes next, then the batch held at its commit.
        gate.arm(at: try store.headPosition + 2)
        let occupied = try await occupyWriter(store)
        let first = Task {
            try await store.submit { _ in
                signal.yield()
                return Decision(plan: plan, staged: { $0.lastPosition }, rollback: { rolledBack.withLock { $0.append("first") } })
            }
        }
        let other = companion(store)
        var iterator = decided.makeAsyncIterator()
        _ = await iterator.next()
        let seenVersion = Locked<UInt64>(0)
        let second = Task {
            try await store.submit { context in
                let version = try context.head(of: "s-1")?.version ?? 0
                seenVersion.withLock { $0 = version }
                gate.open()
                return Decision(plan: WritePlan(appends: [StreamAppend(streamId: "s-1", expectedVersion: .exact(version), events: [try event()])]),
                                staged: { $0.lastPosition }, rollback: { rolledBack.withLock { $0.append("second") } })
            }
        }

        try await occupied.value
        await #expect(throws: EventStoreError.self) { try await first.value }
        await #expect(throws: EventStoreError.self) { _ = try await other.value }
        await #expect(throws: EventStoreError.self) { try await second.value }
        // The second was decided on the first's staged event, so it cannot stand alone.
        #expect(seenVersion.withLock { $0 } == 2)
        #expect(rolledBack.withLock { $0 } == ["second", "first"])
        #expect(try store.headPosition == 2)
        #expect(try store.version(of: "big-1") == nil)

        // The log continues from before both, as if they had never been decided.
        let next = try await appendOne(store, stream: "s-1", expected: .exact(1))
        #expect(next.lastPosition == 3)
        #expect(try store.read(stream: "s-1").map(\.version) == [1, 2])
        #expect(try store.verify() == .verified(events: 3, head: try store.readAll(from: 3, limit: 1)[0].hash))
    }
}
