import EventStore
import Foundation
import LMDB
import TestSupport
import Testing

@Suite struct IdempotencyTests {
    let request = [UInt8](repeating: 7, count: 32)
    let other = [UInt8](repeating: 8, count: 32)

    @Test func aRetryReturnsTheFirstResponseAndAppendsNothing() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let claim = IdempotencyClaim(key: "user-1:key-1", fingerprint: request)
        let first = try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                                           idempotency: claim, response: Array("first".utf8))
        guard case .completed(_, let position) = first else { throw Unexpected.replayed }
        let second = try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                                            idempotency: claim, response: Array("second".utf8))
        guard case .replayed(let response, let replayedPosition) = second else {
            Issue.record("expected a replay")
            return
        }
        #expect(response == Array("first".utf8))
        #expect(replayedPosition == position)
        #expect(try store.headPosition == 1)
        #expect(try store.rememberedResponse(for: "user-1:key-1")?.response == Array("first".utf8))
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                               idempotency: IdempotencyClaim(key: "k", fingerprint: request))
        await #expect(throws: EventStoreError.idempotencyKeyReused(key: "k")) {
            try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                                   idempotency: IdempotencyClaim(key: "k", fingerprint: other))
        }
        #expect(try store.headPosition == 1)
    }

    @Test func aFailedCommandIsNotRemembered() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        _ = try await appendOne(store, stream: "a-1")
        let claim = IdempotencyClaim(key: "k", fingerprint: request)
        await #expect(throws: EventStoreError.self) {
            try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .noStream, events: [try event()])], idempotency: claim)
        }
        let retry = try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .exact(1), events: [try event()])], idempotency: claim)
        guard case .completed = retry else {
            Issue.record("a retry after a failure must run")
            return
        }
    }

    @Test func racingDuplicatesCollapseToOne() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let claim = IdempotencyClaim(key: "race", fingerprint: request)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    let submission = try await store.append(
                        [StreamAppend(streamId: "order-1", expectedVersion: .any, events: [try event()])],
                        idempotency: claim, response: Array("ok".utf8))
                    if case .completed = submission { return true }
                    return false
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try store.headPosition == 1)
    }

    @Test func rememberedResponsesOutliveARestart() async throws {
        let dir = TemporaryDirectory()
        let claim = IdempotencyClaim(key: "k", fingerprint: request)
        do {
            let store = try EventStore(directory: dir.path)
            try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])],
                                   idempotency: claim, response: [1, 2, 3])
            store.close()
        }
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let again = try await store.append([StreamAppend(streamId: "a-1", expectedVersion: .any, events: [try event()])], idempotency: claim)
        guard case .replayed(let response, _) = again else {
            Issue.record("expected a replay after restart")
            return
        }
        #expect(response == [1, 2, 3])
    }

    /// Clients make keys at random; each must find its own reply — in the running store and
    /// after a restart, when the store rebuilds where every reply is from the expiry table.
    @Test func randomKeysReplayTheirOwnRepliesBeforeAndAfterARestart() async throws {
        let dir = TemporaryDirectory()
        let keys = (0..<300).map { "user-\($0 % 7):\(UUID().uuidString)" }
        func appendAll(_ store: EventStore) async throws -> [(key: String, submission: Submission<AppendOutcome>)] {
            try await withThrowingTaskGroup(of: (String, Submission<AppendOutcome>).self) { group in
                for (index, key) in keys.enumerated() {
                    group.addTask {
                        let submission = try await store.append(
                            [StreamAppend(streamId: "order-\(index)", expectedVersion: .any, events: [try event()])],
                            idempotency: IdempotencyClaim(key: key, fingerprint: Array(key.utf8.suffix(32))), response: Array(key.utf8))
                        return (key, submission)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        func expectReplays(_ store: EventStore) async throws {
            for (key, submission) in try await appendAll(store) {
                guard case .replayed(let response, _) = submission else {
                    Issue.record("\(key) ran again")
                    continue
                }
                #expect(response == Array(key.utf8))
                #expect(try store.rememberedResponse(for: key)?.response == Array(key.utf8))
            }
            #expect(try store.headPosition == UInt64(keys.count))
        }
        do {
            let store = try EventStore(directory: dir.path)
            for (_, submission) in try await appendAll(store) {
                guard case .completed = submission else { throw Unexpected.replayed }
            }
            try await expectReplays(store)
            store.close()
        }
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        try await expectReplays(store)
        #expect(try store.rememberedResponse(for: "user-1:never-used") == nil)
    }

    /// A log written before replies were keyed by time (format 1: `idempotency`, keyed by the
    /// client's key) keeps them when a new binary opens it, which moves them and drops the
    /// old table.
    @Test func aFormatOneLogKeepsItsReplies() async throws {
        let dir = TemporaryDirectory()
        // Recent, or the first batch's purge would forget them.
        let createdAt = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        do {
            let store = try EventStore(directory: dir.path)
            _ = try await appendOne(store, stream: "order-1")
            store.close()
        }
        // Rewrite the log's idempotency tables as format 1 laid them out.
        do {
            let environment = try Environment(path: dir.path)
            defer { environment.close() }
            let meta = try #require(try environment.openDatabase("meta", create: false))
            let byTime = try #require(try environment.openDatabase("idempotency-by-time", create: false))
            let replies = try #require(try environment.openDatabase("idempotency-replies", create: false))
            let keyed = try #require(try environment.openDatabase("idempotency"))
            try environment.write { txn in
                try txn.drop(replies, delete: true)
                try txn.put(meta, Array("format".utf8), Array("orderlog-log-1".utf8))
                for (key, response) in [("user-1:old", "first reply"), ("user-2:old", "other reply")] {
                    var entry = BigEndian.bytes(UInt64(createdAt))
                    entry += request
                    entry += BigEndian.bytes(UInt64(1))
                    entry += Array(response.utf8)
                    try txn.put(keyed, Array(key.utf8), entry)
                    try txn.put(byTime, BigEndian.bytes(UInt64(createdAt)) + Array(key.utf8), [])
                }
            }
        }
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let retry = try await store.append([StreamAppend(streamId: "order-1", expectedVersion: .any, events: [try event()])],
                                           idempotency: IdempotencyClaim(key: "user-1:old", fingerprint: request))
        guard case .replayed(let response, let position) = retry else {
            Issue.record("a format-1 reply must be replayed")
            return
        }
        #expect(response == Array("first reply".utf8))
        #expect(position == 1)
        #expect(try store.rememberedResponse(for: "user-2:old")?.response == Array("other reply".utf8))
        #expect(try store.headPosition == 1)
    }
}

