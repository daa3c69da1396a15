import EventStore
import Foundation
import TestSupport
import Testing

@Suite struct SubscriptionTests {
    @Test func followsConcurrentAppendsInOrderWithoutGapsOrRepeats() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        for i in 0..<20 { _ = try await appendOne(store, stream: "pre-\(i)") }
        let total = 20 + 500
        let reader = Task {
            var positions: [UInt64] = []
            for try await recorded in store.subscribe(from: 1) {
                positions.append(recorded.position)
                if positions.count == total { break }
            }
            return positions
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<500 {
                group.addTask { _ = try await appendOne(store, stream: "s-\(i % 7)") }
            }
            try await group.waitForAll()
        }
        let positions = try await reader.value
        #expect(positions == Array(1...UInt64(total)))
    }

    @Test func batchesStartWhereAsked() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        for i in 0..<10 { _ = try await appendOne(store, stream: "s-\(i)") }
        var iterator = store.batches(from: 4, batchSize: 3).makeAsyncIterator()
        #expect(try await iterator.next()?.map(\.position) == [4, 5, 6])
        #expect(try await iterator.next()?.map(\.position) == [7, 8, 9])
        #expect(try await iterator.next()?.map(\.position) == [10])
    }

    @Test func closingTheStoreEndsAWaitingSubscription() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        _ = try await appendOne(store, stream: "s-1")
        let reader = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(100))
        store.close()
        #expect(try await reader.value == 1)
    }

    @Test func waitForCommitWakesOnTheCommit() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let waiter = Task {
            await store.waitForCommit(atLeast: 3)
            return try store.headPosition
        }
        for i in 0..<3 { _ = try await appendOne(store, stream: "s-\(i)") }
        #expect(try await waiter.value >= 3)
    }
}
