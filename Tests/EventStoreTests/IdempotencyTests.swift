import EventStore
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
}
