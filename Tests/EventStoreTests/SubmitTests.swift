import CanonicalJSON
import EventStore
import Foundation
import TestSupport
import Testing

/// The writer's plug-in point: decide steps run inside the group commit, in order.
@Suite struct SubmitTests {
    func openStore(_ dir: TemporaryDirectory, sideTables: [String]) throws -> EventStore {
        var configuration = EventStore.Configuration()
        configuration.sideTables = sideTables
        return try EventStore(directory: dir.path, configuration: configuration)
    }

    @Test func decideSeesEarlierJobsOfTheSameBatchAndHooksRunInOrder() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let log = Locked<[String]>([])
        // 50 jobs each read the counter stream's head inside the writer and append the next
        // version conditionally: if decide did not see staged work, these would conflict.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    _ = try await store.submit { context in
                        let version = try context.head(of: "counter-1")?.version ?? 0
                        let plan = WritePlan(appends: [StreamAppend(
                            streamId: "counter-1", expectedVersion: version == 0 ? .noStream : .exact(version),
                            events: [try event("Counted", ["n": .int(Int64(version + 1))])])])
                        return Decision(plan: plan, staged: { outcome in
                            log.withLock { $0.append("staged \(outcome.versions["counter-1"] ?? 0)") }
                            return outcome
                        }, committed: {
                            log.withLock { $0.append("committed") }
                        })
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = try store.read(stream: "counter-1")
        #expect(events.map { $0.data["n"]?.intValue } == (1...50).map { Int64($0) })
        let entries = log.withLock { $0 }
        #expect(entries.filter { $0 == "committed" }.count == 50)
        #expect(entries.filter { $0.hasPrefix("staged") }.count == 50)
    }

    @Test func keysLMDBWouldRefuseFailTheirJobAloneNotTheBatch() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir, sideTables: ["t"])
        defer { store.close() }
        // Hold the writer so that everything below is queued and taken as one batch: a key LMDB
        // refuses at put time would otherwise fail the batch's transaction, and every job in it.
        let (started, signal) = AsyncStream<Void>.makeStream()
        let occupying = Task {
            try await store.submit { _ in
                signal.yield()
                usleep(300_000)
                return Decision(plan: WritePlan(), staged: { _ in })
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()

        let longKey = [UInt8](repeating: 65, count: 600)
        let good = Task { try await appendOne(store, stream: "good-1") }
        let longSideKey = Task {
            try await store.submit { _ in
                Decision(plan: WritePlan(appends: [StreamAppend(streamId: "bad-1", expectedVersion: .any, events: [try event()])],
                                         sideTableWrites: [SideTableWrite(table: "t", key: longKey, operation: .put([1]))]), staged: { _ in })
            }
        }
        let emptySideKey = Task {
            try await store.submit { _ in
                Decision(plan: WritePlan(sideTableWrites: [SideTableWrite(table: "t", key: [], operation: .delete)]), staged: { _ in })
            }
        }
        let longIdempotencyKey = Task {
            try await store.append([StreamAppend(streamId: "bad-2", expectedVersion: .any, events: [try event()])],
                                   idempotency: IdempotencyClaim(key: String(repeating: "k", count: 600), fingerprint: [1]))
        }
        let badSnapshot = Task {
            try await store.submit { _ in
                Decision(plan: WritePlan(snapshots: [SnapshotWrite(streamId: String(repeating: "s", count: 600), version: 1, state: [])]),
                         staged: { _ in })
            }
        }
        _ = try await occupying.value
        let appended = try await good.value
        #expect(appended.lastPosition == 1)
        for task in [longSideKey, emptySideKey, badSnapshot] {
            await #expect(throws: EventStoreError.self) { try await task.value }
        }
        await #expect(throws: EventStoreError.self) { _ = try await longIdempotencyKey.value }
        // Nothing of the refused jobs was written; a retry-lookup of the long key finds nothing.
        #expect(try store.headPosition == 1)
        #expect(try store.version(of: "bad-1") == nil && store.version(of: "bad-2") == nil)
        #expect(try store.rememberedResponse(for: String(repeating: "k", count: 600)) == nil)
        #expect(try store.verify() == .verified(events: 1, head: try store.readAll(from: 1, limit: 1)[0].hash))
    }

    /// `writerLoad` is what the writer does at this moment: a batch that does not finish shows
    /// its age, and the jobs queued behind it, while it hangs (metrics read it when scraped).
    @Test func theWritersLoadShowsABatchWhileItRuns() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        #expect(store.writerLoad?.batchSeconds == 0 && store.writerLoad?.queuedJobs == 0)
        let release = DispatchSemaphore(value: 0)
        let slow = Task {
            try await store.submit { _ -> Decision<Void> in
                release.wait()  // the writer's thread, not a task's
                let plan = WritePlan(appends: [StreamAppend(streamId: "slow-1", expectedVersion: .any, events: [try event()])])
                return Decision(plan: plan, staged: { _ in })
            }
        }
        func waitFor(_ condition: (WriterLoad) -> Bool) async throws -> WriterLoad? {
            for _ in 0..<400 {
                if let load = store.writerLoad, condition(load) { return load }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }
        #expect(try await waitFor { $0.batchSeconds > 0 } != nil)
        let queued = Task { try await store.append([StreamAppend(streamId: "queued-1", expectedVersion: .any, events: [try event()])]) }
        let hanging = try await waitFor { $0.queuedJobs == 1 && $0.batchSeconds >= 0.1 }
        #expect(hanging != nil, "a batch held for 100 ms with one job behind it")
        release.signal()
        _ = try await slow.value
        _ = try await queued.value
        #expect(try await waitFor { $0.batchSeconds == 0 && $0.queuedJobs == 0 } != nil)
        #expect(try store.headPosition == 2)
    }

    @Test func aFailingJobFailsAloneNotItsBatch() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        struct Rejected: Error {}
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask {
                    do {
                        _ = try await store.submit { _ -> Decision<Void> in
                            if i % 10 == 0 { throw Rejected() }
                            // Every 10th+5 job conflicts on a claimed name.
                            let expected: ExpectedVersion = i % 10 == 5 ? .exact(99) : .any
                            let plan = WritePlan(appends: [StreamAppend(streamId: "s-\(i)", expectedVersion: expected, events: [try event()])])
                            return Decision(plan: plan, staged: { _ in })
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 80)
        #expect(try store.headPosition == 80)
        #expect(try store.verify() == .verified(events: 80, head: try store.readAll(from: 80, limit: 1)[0].hash))
    }

    @Test func aFullMapRollsBackAndRerunsTheBatch() async throws {
        let dir = TemporaryDirectory()
        var configuration = EventStore.Configuration()
        configuration.initialMapSize = 64 * 1024
        let store = try EventStore(directory: dir.path, configuration: configuration)
        defer { store.close() }
        let counts = Locked((decided: 0, staged: 0, rolledBack: 0))
        let big = String(repeating: "y", count: 4000)
        let events = try (0..<100).map { _ in try event("Big", ["pad": .string(big)]) }
        let submission = try await store.submit { _ in
            counts.withLock { $0.decided += 1 }
            return Decision(plan: WritePlan(appends: [StreamAppend(streamId: "big-1", expectedVersion: .noStream, events: events)]),
                            staged: { outcome in
                                counts.withLock { $0.staged += 1 }
                                return outcome.lastPosition
                            }, rollback: { counts.withLock { $0.rolledBack += 1 } })
        }
        guard case .completed(let last, _) = submission else { throw Unexpected.replayed }
        #expect(last == 100)
        let final = counts.withLock { $0 }
        // Decided again after each growth; whatever was staged before a failed attempt was rolled back.
        #expect(final.decided >= 2)
        #expect(final.staged - final.rolledBack == 1)
    }

    @Test func aPlanThatAppendsNothingAnswersWithTheAddressedStreamsPosition() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        _ = try await appendOne(store, stream: "cart-1")
        _ = try await appendOne(store, stream: "other-1")
        let submission = try await store.submit { _ in
            Decision(plan: WritePlan(addressedStream: "cart-1"), staged: { $0 })
        }
        guard case .completed(let outcome, let position) = submission else { throw Unexpected.replayed }
        #expect(outcome.appendedNothing)
        #expect(position == 1)
        #expect(try store.headPosition == 2)
    }

    @Test func sideTablesAndSnapshotsCommitWithTheEvents() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir, sideTables: ["keys"])
        defer { store.close() }
        _ = try await store.submit { _ in
            Decision(plan: WritePlan(
                appends: [StreamAppend(streamId: "user-1", expectedVersion: .noStream, events: [try event()])],
                snapshots: [SnapshotWrite(streamId: "user-1", version: 1, state: [9, 9])],
                sideTableWrites: [
                    SideTableWrite(table: "keys", key: Array("u1/a".utf8), operation: .put([1])),
                    SideTableWrite(table: "keys", key: Array("u1/b".utf8), operation: .put([2])),
                    SideTableWrite(table: "keys", key: Array("u2/a".utf8), operation: .put([3])),
                ]), staged: { _ in })
        }
        #expect(try store.sideTableValue("keys", key: Array("u1/a".utf8)) == [1])
        #expect(try store.snapshot(of: "user-1")?.version == 1)
        #expect(try store.snapshot(of: "user-1")?.state == [9, 9])
        _ = try await store.submit { _ in
            Decision(plan: WritePlan(sideTableWrites: [SideTableWrite(table: "keys", key: Array("u1/".utf8), operation: .deletePrefix)]),
                     staged: { _ in })
        }
        #expect(try store.sideTableEntries("keys").map { String(decoding: $0.key, as: UTF8.self) } == ["u2/a"])
    }

    @Test func rememberedResponsesExpireAfterTheRetention() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try clock.store(in: dir.path)
        defer { store.close() }
        let claim = IdempotencyClaim(key: "k", fingerprint: [1])
        let append = { try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])], idempotency: claim) }
        _ = try await append()
        clock.advance(hours: 23)
        guard case .replayed = try await append() else {
            Issue.record("a key must be kept for 24 hours")
            return
        }
        clock.advance(hours: 3)
        _ = try await appendOne(store, stream: "tick-1")  // this batch purges
        guard case .completed = try await append() else {
            Issue.record("an expired key is forgotten")
            return
        }
    }

    /// A burst of keyed commands expires as a burst: a batch purges at most 1,000 expired
    /// replies (so no commit waits long), and while more are left every batch purges again
    /// instead of waiting for the next minute.
    @Test func aBurstOfExpiredRepliesIsPurgedOverTheNextBatches() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try clock.store(in: dir.path)
        defer { store.close() }
        let keys = (0..<2_500).map { "user-\($0 % 9):burst-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask {
                    _ = try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                                               idempotency: IdempotencyClaim(key: key, fingerprint: [1]), response: [2])
                }
            }
            try await group.waitForAll()
        }
        #expect(store.rememberedReplyCount == 2_500)
        clock.advance(hours: 26)
        for expected in [1_500, 500, 0] {
            _ = try await appendOne(store, stream: "tick-1")  // each of these batches purges
            #expect(store.rememberedReplyCount == expected)
        }
        for key in keys.prefix(50) { #expect(try store.rememberedResponse(for: key) == nil) }
    }
}

