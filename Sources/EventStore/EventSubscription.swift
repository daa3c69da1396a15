/// The log from a position on, in batches: catches up, then follows new commits, woken by the
/// writer. Never skips or repeats an event. Ends when the store closes or the consuming task is
/// cancelled. `Event` is what a batch holds: stored records (`EventBatches`) or the
/// subscriber's own type, from the writer's feed where it can (`committedBatches`).
public struct LogBatches<Event: Sendable>: AsyncSequence, Sendable {
    public typealias Element = [Event]

    let store: EventStore
    let start: UInt64
    let batchSize: Int
    let linger: Duration?
    /// Up to `limit` events from a position on; empty when there are none yet.
    let take: @Sendable (EventStore, UInt64, Int) throws -> [Event]
    let position: @Sendable (Event) -> UInt64

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: self, next: Swift.max(start, 1))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let batches: LogBatches
        var next: UInt64

        public mutating func next() async throws -> [Event]? {
            let store = batches.store
            while !Task.isCancelled {
                var events: [Event]
                do {
                    events = try batches.take(store, next, batches.batchSize)
                    // A small batch while commits are streaming in: wait a moment for more, so
                    // a consumer with a per-batch cost (a read-model transaction) amortizes it.
                    if let linger = batches.linger, let last = events.last, events.count < batches.batchSize / 8 {
                        try? await Task.sleep(for: linger)
                        events += try batches.take(store, batches.position(last) + 1, batches.batchSize - events.count)
                    }
                } catch where store.isClosedForSubscribers {
                    return nil
                }
                if let last = events.last {
                    next = batches.position(last) + 1
                    return events
                }
                if store.isClosedForSubscribers { return nil }
                await store.waitForCommit(atLeast: next)
                if store.isClosedForSubscribers { return nil }
            }
            return nil
        }
    }
}

/// Stored records, read from the log.
public typealias EventBatches = LogBatches<RecordedEvent>

/// The log from a position on, one event at a time (see `EventBatches`).
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let batches: EventBatches

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: batches.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var batches: EventBatches.Iterator
        var buffer: [RecordedEvent] = []
        var index = 0

        public mutating func next() async throws -> RecordedEvent? {
            if index >= buffer.count {
                guard let batch = try await batches.next() else { return nil }
                buffer = batch
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension EventStore {
    /// Every event from `position` on, following new commits.
    public func subscribe(from position: UInt64 = 1) -> EventSubscription {
        EventSubscription(batches: batches(from: position))
    }

    /// Every event from `position` on in batches of up to `batchSize`, following new commits.
    /// With `linger`, a batch much smaller than `batchSize` waits that long for more events.
    public func batches(from position: UInt64 = 1, batchSize: Int = 1000, linger: Duration? = nil) -> EventBatches {
        EventBatches(store: self, start: position, batchSize: batchSize, linger: linger,
                     take: { store, from, limit in try store.readAll(from: from, limit: limit) }, position: \.position)
    }
}

extension EventStore {
    /// Every event from `position` on in batches, following new commits: a batch still in the
    /// writer's commit feed comes from memory with the appenders' attachments (`handed`: no
    /// read, no decode); anything older is read back from the log in place (`stored`, a
    /// `RecordView` inside the read transaction, so a subscriber far behind — a server starting
    /// after downtime — decodes each record once, without a full record or a tree). Each event
    /// becomes the subscriber's own type as it arrives.
    ///
    /// Read from the log, a batch may hold up to `catchUpBatchSize` events: a subscriber that far
    /// behind pays its per-batch cost (a read-model transaction and its fsync) less often.
    public func committedBatches<Event: Sendable>(
        from position: UInt64 = 1, batchSize: Int = 1000, catchUpBatchSize: Int? = nil, linger: Duration? = nil,
        handed: @escaping @Sendable (HandedEvent) -> Event, stored: @escaping @Sendable (RecordView) -> Event,
        position positionOf: @escaping @Sendable (Event) -> UInt64
    ) -> LogBatches<Event> {
        let catchUp = max(batchSize, catchUpBatchSize ?? batchSize)
        return LogBatches(store: self, start: position, batchSize: batchSize, linger: linger, take: { store, from, limit in
            let fed = store.feed.events(from: from, limit: limit)
            if !fed.isEmpty { return fed.map(handed) }
            var events: [Event] = []
            // A full batch asked for is a subscriber behind: take more at once from the log.
            try store.forEachRecordView(from: from, limit: limit == batchSize ? catchUp : limit) { events.append(stored($0)) }
            return events
        }, position: positionOf)
    }
}
