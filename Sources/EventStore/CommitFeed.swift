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
final class CommitFeed: Sendable {
    private struct Window {
        var events: [HandedEvent?]
        /// Position of the newest event in the window (0: empty).
        var newest: UInt64 = 0
        var count = 0
    }

    private let window: Mutex<Window>
    private let capacity: Int

    init(capacity: Int = 16_384) {
        self.capacity = capacity
        window = Mutex(Window(events: Array(repeating: nil, count: capacity)))
    }

    /// Adds a committed batch; called by the writer after the commit, before waking anyone.
    func append(_ batch: [HandedEvent]) {
        guard !batch.isEmpty else { return }
        window.withLock { window in
            // Only a contiguous run is kept: a gap (a batch appended without going through the
            // writer's feed) empties the window.
            if let first = batch.first, window.newest != 0, first.position != window.newest + 1 { window.count = 0 }
            for event in batch {
                window.events[Int(event.position % UInt64(capacity))] = event
                window.newest = event.position
                window.count = min(window.count + 1, capacity)
            }
        }
    }

    /// Up to `limit` events from `position` on, with their attachments; empty when `position`
    /// has left the window (or is not committed yet) or its event carries no attachment.
    func events(from position: UInt64, limit: Int) -> [HandedEvent] {
        window.withLock { window in
            let oldest = window.newest - UInt64(window.count) + 1
            guard window.count > 0, position >= oldest, position <= window.newest else { return [] }
            let end = min(window.newest, position + UInt64(limit) - 1)
            var out: [HandedEvent] = []
            out.reserveCapacity(Int(end - position + 1))
            for p in position...end {
                guard let event = window.events[Int(p % UInt64(capacity))], event.position == p, event.attachment != nil else { break }
                out.append(event)
            }
            return out
        }
    }
}
