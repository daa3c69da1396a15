import CanonicalJSON
import EventStore
import Foundation
import LMDB
import TestSupport
import Testing

/// The stream index's entries wait in the writer's memory and reach the `streams` database in
/// sorted flushes (`PendingStreamIndex`): every read must see each stream whole all the same,
/// before and after a flush, after a crash and after a clean stop.
@Suite struct StreamIndexTests {
    func store(_ dir: TemporaryDirectory, flushEntries: Int) throws -> EventStore {
        var configuration = EventStore.Configuration()
        configuration.streamIndexFlushEntries = flushEntries
        return try EventStore(directory: dir.path, configuration: configuration)
    }

    /// What the `streams` database itself holds, read with the LMDB API: its entry count and the
    /// marker of the last position it covers.
    func indexOnDisk(_ dir: String) throws -> (entries: Int, indexedThrough: UInt64?) {
        let environment = try Environment(path: dir, options: .init(readOnly: true))
        defer { environment.close() }
        let streams = try #require(try environment.openDatabase("streams", create: false))
        let meta = try #require(try environment.openDatabase("meta", create: false))
        return try environment.read { txn in
            (try txn.count(streams), try txn.getBytes(meta, Array("indexed-through".utf8)).flatMap { BigEndian.uint64($0) })
        }
    }

    /// Runs `body(caller, round)` for every caller at once, each caller's rounds in order.
    func concurrently(callers: Int, rounds: Int, _ body: @escaping @Sendable (Int, Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    for round in 0..<rounds { try await body(caller, round) }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func streamsReadWholeAcrossFlushesWhileAppendersInterleave() async throws {
        let dir = TemporaryDirectory()
        let store = try store(dir, flushEntries: 7)
        let callers = 24, rounds = 20
        try await concurrently(callers: callers, rounds: rounds) { caller, round in
            _ = try await store.append([
                StreamAppend(streamId: "own-\(caller)", expectedVersion: .exact(UInt64(round)), events: [try event()]),
                StreamAppend(streamId: "shared", expectedVersion: .any, events: [try event(), try event()]),
            ])
            // Right after its answer, the caller's own stream is whole.
            let own = try store.read(stream: "own-\(caller)")
            #expect(own.map(\.version) == Array(1...UInt64(round + 1)))
            #expect(try store.head(of: "own-\(caller)")?.version == UInt64(round + 1))
        }
        let total = UInt64(3 * callers * rounds)
        let shared = try store.read(stream: "shared")
        #expect(shared.map(\.version) == Array(1...UInt64(2 * callers * rounds)))
        #expect(zip(shared, shared.dropFirst()).allSatisfy { $0.position < $1.position })
        let middle = try store.read(stream: "shared", from: 100, limit: 5)
        #expect(middle.map(\.version) == [100, 101, 102, 103, 104])
        #expect(try store.verify() == .verified(events: total, head: try store.readAll(from: total, limit: 1)[0].hash))
        store.close()
        // A clean stop writes what was still pending.
        let onDisk = try indexOnDisk(dir.path)
        #expect(onDisk.entries == Int(total))
        #expect(onDisk.indexedThrough == total)
    }

    /// An open reads back every entry past the marker, so it never lags by more than the flush
    /// size and a batch — even when large batches of new streams leave nothing waiting.
    @Test func theMarkerKeepsUpWhenNothingWaits() async throws {
        let dir = TemporaryDirectory()
        let store = try store(dir, flushEntries: 50)
        let callers = 64, rounds = 30
        try await concurrently(callers: callers, rounds: rounds) { caller, round in
            _ = try await appendOne(store, stream: "new-\(caller)-\(round)", expected: .noStream)
        }
        let head = try store.headPosition
        let indexed = try #require(try indexOnDisk(dir.path).indexedThrough)
        #expect(head == UInt64(callers * rounds))
        #expect(head - indexed < UInt64(50 + callers), "the marker stayed at \(indexed) of \(head)")
        store.close()
        #expect(try indexOnDisk(dir.path) == (entries: callers * rounds, indexedThrough: head))
    }

    @Test func entriesNotYetFlushedAreReadBackFromTheLog() async throws {
        let dir = TemporaryDirectory()
        let writer = try store(dir, flushEntries: 10)
        defer { writer.close() }
        for i in 0..<26 {
            _ = try await appendOne(writer, stream: "s-\(i % 3)")
        }
        _ = try await appendOne(writer, stream: "late-1")
        // One append a batch: every entry waits, new streams' too. Flushed when 10 had gathered
        // (positions 10 and 20); 21–27 are in the writer's memory only.
        let onDisk = try indexOnDisk(dir.path)
        #expect(onDisk.indexedThrough == 20)
        #expect(onDisk.entries == 20)

        // Another process's view (a tool opening read-only) finds them in the log.
        let reader = try EventStore.openReadOnly(directory: dir.path)
        defer { reader.close() }
        for stream in ["s-0", "s-1", "s-2"] {
            let fromWriter = try writer.read(stream: stream)
            #expect(try reader.read(stream: stream).map(\.position) == fromWriter.map(\.position))
            #expect(fromWriter.map(\.version) == Array(1...UInt64(fromWriter.count)))
        }
        #expect(try reader.head(of: "late-1") == StreamHead(version: 1, position: 27))
        #expect(try reader.head(of: "s-1") == StreamHead(version: 9, position: 26))
        #expect(try reader.hasStream(withPrefix: "late-"))
        #expect(try reader.verify() == .verified(events: 27, head: try reader.readAll(from: 27, limit: 1)[0].hash))
    }

    @Test func aDecideStepReadsEntriesNotYetFlushed() async throws {
        let dir = TemporaryDirectory()
        let store = try store(dir, flushEntries: 1000)
        defer { store.close() }
        _ = try await appendOne(store, stream: "x")
        _ = try await appendOne(store, stream: "x")
        let seen = try await store.submit { context -> Decision<[UInt64]> in
            let versions = try context.readStream("x").map(\.version) + [try context.head(of: "x")?.version ?? 0]
            return Decision(plan: WritePlan(appends: [StreamAppend(streamId: "x", expectedVersion: .exact(2), events: [try event()])]),
                            staged: { _ in versions })
        }
        guard case .completed(let versions, _) = seen else {
            Issue.record("replayed")
            return
        }
        #expect(versions == [1, 2, 2])
        #expect(try store.read(stream: "x").map(\.version) == [1, 2, 3])
    }

    /// A log written before entries were deferred holds them all and has no marker: it opens as
    /// fully indexed, and gets its marker then.
    @Test func aLogWithoutTheMarkerOpensAsFullyIndexed() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try store(dir, flushEntries: 1)
            for i in 0..<6 { _ = try await appendOne(store, stream: "s-\(i % 2)") }
            store.close()
        }
        do {
            let environment = try Environment(path: dir.path)
            defer { environment.close() }
            let meta = try #require(try environment.openDatabase("meta", create: false))
            try environment.write { txn in _ = try txn.delete(meta, Array("indexed-through".utf8)) }
        }
        let reader = try EventStore.openReadOnly(directory: dir.path)
        #expect(try reader.read(stream: "s-1").map(\.version) == [1, 2, 3])
        reader.close()
        let store = try store(dir, flushEntries: 100)
        #expect(try store.read(stream: "s-0").map(\.version) == [1, 2, 3])
        _ = try await appendOne(store, stream: "s-0")
        #expect(try store.head(of: "s-0")?.version == 4)
        store.close()
        #expect(try indexOnDisk(dir.path) == (entries: 7, indexedThrough: 7))
    }
}
