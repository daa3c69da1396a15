import CanonicalJSON
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

    // MARK: The commit feed

    /// Appends `count` events to one stream in one append, each carrying `"n<position-to-be>"`
    /// as its attachment when `attached`.
    private func appendMany(_ store: EventStore, stream: String, count: Int, attached: Bool) async throws {
        let base = try store.headPosition
        let events = try (1...count).map { i in
            try ProposedEvent(type: "Happened", canonicalData: Array(#"{"n":\#(i)}"#.utf8),
                              attachment: attached ? "n\(base + UInt64(i))" : nil)
        }
        _ = try await store.append([StreamAppend(streamId: stream, expectedVersion: .any, events: events)])
    }

    @Test func committedBatchesHandOverAttachmentsAndReadTheRestFromTheLog() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        try await appendMany(store, stream: "plain", count: 5, attached: false)
        try await appendMany(store, stream: "typed", count: 5, attached: true)
        var iterator = Self.committed(store, batchSize: 5).makeAsyncIterator()

        let first = try #require(try await iterator.next())
        #expect(first.map(\.position) == [1, 2, 3, 4, 5])
        #expect(first.allSatisfy { if case .stored = $0 { true } else { false } }, "no attachment: read from the log")
        // Read in place, each record's header and data are what `readAll` reads.
        for (committed, recorded) in zip(first, try store.readAll(from: 1, limit: 5)) {
            guard case .stored(let record) = committed else { continue }
            #expect(record == Seen.Record(position: recorded.position, streamId: recorded.streamId, version: recorded.version, type: recorded.type,
                                          at: recorded.at, data: recorded.data))
        }

        let second = try #require(try await iterator.next())
        let stored = try store.readAll(from: 6, limit: 5)
        #expect(second.map(\.position) == [6, 7, 8, 9, 10])
        for (committed, recorded) in zip(second, stored) {
            guard case .handed(let handed) = committed else {
                Issue.record("position \(committed.position) was read back although its attachment was in the feed")
                continue
            }
            #expect(handed.attachment as? String == "n\(recorded.position)")
            #expect(handed.streamId == recorded.streamId && handed.version == recorded.version && handed.type == recorded.type)
            #expect(RFC3339.format(millis: handed.atMillis) == recorded.at)
        }
    }

    @Test func aSubscriberBehindTheFeedsWindowReadsTheLogThenJoinsTheFeed() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        for _ in 0..<17 { try await appendMany(store, stream: "s", count: 1000, attached: true) }
        var handed = 0, stored = 0
        var positions: [UInt64] = []
        for try await batch in Self.committed(store, batchSize: 2000) {
            for event in batch {
                positions.append(event.position)
                switch event {
                case .handed(let h):
                    handed += 1
                    #expect(h.attachment as? String == "n\(h.position)")
                case .stored: stored += 1
                }
            }
            if positions.count == 17_000 { break }
        }
        #expect(positions == Array(1...17_000))
        #expect(stored > 0, "position 1 has left a 16,384-event window")
        #expect(handed > 0, "the latest events are still in the window")
    }

    /// The window keeps the writer's batches whole: a subscriber starting anywhere — inside a
    /// batch, at its edge, before the window — with any batch size gets every position once, in
    /// order, each one still in the window handed over with its own attachment.
    @Test func subscribersStartingAnywhereGetEachPositionOnceFromBatchesOfAnySize() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        var sizes: [Int] = []
        var random = SystemRandomNumberGenerator()
        while sizes.reduce(0, +) < 20_000 { sizes.append([1, 2, 7, 64, 300, 1_000].randomElement(using: &random) ?? 1) }
        for (index, size) in sizes.enumerated() { try await appendMany(store, stream: "s-\(index % 5)", count: size, attached: true) }
        let head = try store.headPosition
        let edge = head - 16_384 + 1
        for (start, batchSize) in [(UInt64(1), 997), (edge - 1, 64), (edge + 1, 5), (edge + 1_000, 5), (head - 2, 3), (head / 2 + 1, 1_000)] {
            var next = start
            var handed = 0
            for try await batch in Self.committed(store, from: start, batchSize: batchSize) {
                #expect(batch.count <= batchSize)
                for event in batch {
                    #expect(event.position == next)
                    next += 1
                    if case .handed(let h) = event {
                        handed += 1
                        #expect(h.attachment as? String == "n\(h.position)")
                    }
                }
                if next > head { break }
            }
            #expect(next == head + 1, "a subscriber from \(start) got every position")
            // The window holds the newest 16,384 events at most, and loses whole batches: at
            // least 16,384 − 999 (the largest append here is 1,000). What the subscriber read of
            // those came from it, except the batch that crossed into it from the log.
            let inWindow = min(Int(head - start + 1), 16_384 - 999)
            #expect(handed >= inWindow - batchSize, "from \(start): \(handed) handed over")
        }
    }

    @Test func aReopenedStoreReadsEverythingFromTheLog() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try EventStore(directory: dir.path)
            try await appendMany(store, stream: "s", count: 3, attached: true)
            store.close()
        }
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        var iterator = Self.committed(store, batchSize: 1000).makeAsyncIterator()
        let batch = try #require(try await iterator.next())
        #expect(batch.map(\.position) == [1, 2, 3])
        #expect(batch.allSatisfy { if case .stored = $0 { true } else { false } })
    }

    /// What a subscriber of `committedBatches` got of one event: the feed's event, or the
    /// record read back from the log (copied out of its view).
    enum Seen: Sendable {
        case handed(HandedEvent)
        case stored(Record)

        struct Record: Sendable, Equatable {
            let position: UInt64
            let streamId: String
            let version: UInt64
            let type: String
            let at: String
            let data: JSONValue?
        }

        var position: UInt64 {
            switch self {
            case .handed(let event): event.position
            case .stored(let record): record.position
            }
        }
    }

    static func committed(_ store: EventStore, from start: UInt64 = 1, batchSize: Int) -> LogBatches<Seen> {
        store.committedBatches(
            from: start, batchSize: batchSize,
            handed: { .handed($0) },
            stored: { .stored(Seen.Record(position: $0.position, streamId: $0.streamId, version: $0.version, type: $0.type, at: $0.at,
                                          data: try? $0.data.value())) },
            position: \.position)
    }
}
