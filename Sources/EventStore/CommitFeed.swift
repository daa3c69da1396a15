import Synchronization

/// An event just committed by this process's writer, as its appender handed it over: the
/// record's header and the appender's own in-memory form of the payload (`attachment`).
public struct HandedEvent: Sendable {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    public let type: String
    /// Commit time of its batch, milliseconds since the epoch.
    public let atMillis: Int64
    /// What the appender attached to its `ProposedEvent`; nil when it attached nothing.
    public let attachment: (any Sendable)?
}

/// The most recent commits, kept in memory for in-process subscribers (the projection runner):
/// a subscriber that keeps up takes each batch from here instead of reading the log back and
/// decoding what the writer encoded a moment ago. One that falls behind the window (a rebuild,
/// a start-up catching up) reads the log as before — the window is a shortcut, never the truth.
///
/// The window keeps the writer's batches whole, as it handed them over: adding one costs the
/// writer — the thread every command waits on — the same whatever its size, where copying
/// each event into a ring (and freeing the one it pushed out, a whole decided order with its
/// lines and sealed address) was ~4 % of its time. Batches that leave the window are freed by
/// the next reader, on its own thread.
final class CommitFeed: Sendable {
    private struct Window {
        /// Committed batches, oldest first, each non-empty and contiguous with the next; the
        /// live ones are `batches[start...]`.
        var batches: [[HandedEvent]] = []
        var start = 0
        /// Events in the live batches.
        var count = 0
        /// Position of the newest event in the window (0: empty).
        var newest: UInt64 = 0
        /// Batches pushed out, left for a reader to free, and the events in them.
        var evicted: [[HandedEvent]] = []
        var evictedCount = 0

        mutating func evictOldest() {
            var gone: [HandedEvent] = []
            swap(&gone, &batches[start])
            count -= gone.count
            evictedCount += gone.count
            evicted.append(gone)
            start += 1
        }

        mutating func takeEvicted() -> [[HandedEvent]] {
            var taken: [[HandedEvent]] = []
            swap(&taken, &evicted)
            evictedCount = 0
            return taken
        }
    }

    private let window = Mutex(Window())
    private let capacity: Int

    init(capacity: Int = 16_384) {
        self.capacity = capacity
    }

    /// Adds a committed batch; called by the writer after the commit, before waking anyone.
    func append(_ batch: [HandedEvent]) {
        guard let first = batch.first, let last = batch.last else { return }
        var unclaimed: [[HandedEvent]] = []
        window.withLock { window in
            // Only a contiguous run is kept: a gap (a batch appended without going through the
            // writer's feed) empties the window.
            if window.newest != 0, first.position != window.newest + 1 {
                while window.start < window.batches.count { window.evictOldest() }
            }
            window.batches.append(batch)
            window.count += batch.count
            window.newest = last.position
            while window.count > capacity { window.evictOldest() }
            if window.start > 64, window.start * 2 > window.batches.count {
                window.batches.removeFirst(window.start)
                window.start = 0
            }
            // No reader is taking them (a store without subscribers): the writer frees them once
            // they hold as many events as the window. Counted in batches (1,024) instead, the
            // backlog had no bound in events: the in-process benchmark's 100,000 orders (400
            // batches) all stayed alive, ~60 MB, and a longer run would have stopped the writer
            // to free half a million events at once.
            if window.evictedCount > capacity { unclaimed = window.takeEvicted() }
        }
        unclaimed.removeAll()  // outside the lock
    }

    /// Up to `limit` events from `position` on, with their attachments; empty when `position`
    /// has left the window (or is not committed yet) or its event carries no attachment.
    func events(from position: UInt64, limit: Int) -> [HandedEvent] {
        var evicted: [[HandedEvent]] = []
        defer { evicted.removeAll() }  // after the lock is let go
        return window.withLock { window in
            evicted = window.takeEvicted()
            guard window.count > 0, limit > 0 else { return [] }
            let oldest = window.newest - UInt64(window.count) + 1
            guard position >= oldest, position <= window.newest else { return [] }
            // The last batch starting at or before `position` (batches are in position order).
            var low = window.start, high = window.batches.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if window.batches[middle][0].position <= position { low = middle } else { high = middle - 1 }
            }
            var out: [HandedEvent] = []
            out.reserveCapacity(min(limit, Int(window.newest - position + 1)))
            var next = position
            for index in low..<window.batches.count {
                let batch = window.batches[index]
                var offset = Int(next - batch[0].position)
                while offset < batch.count {
                    // Read in place and copied once, into `out` (a local copy first was a second
                    // retain and release of each of its strings and attachment).
                    guard batch[offset].position == next, batch[offset].attachment != nil else { return out }
                    out.append(batch[offset])
                    if out.count == limit { return out }
                    next += 1
                    offset += 1
                }
            }
            return out
        }
    }
}
