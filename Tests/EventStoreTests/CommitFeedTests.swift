@testable import EventStore
import Testing

/// The commit feed keeps the latest batches for in-process subscribers and lets older ones go:
/// with a reader, the reader frees them; without one, the writer must, so a store nobody
/// subscribes to does not keep every event it ever committed alive.
@Suite struct CommitFeedTests {
    /// An attachment whose release a weak reference can see.
    final class Payload: Sendable {}

    /// Appends `batches` batches of three events, from position 1, each with its own payload;
    /// returns weak references to the payloads in position order.
    private func fill(_ feed: CommitFeed, batches: Int) -> [Weak] {
        var refs: [Weak] = []
        var position: UInt64 = 1
        for _ in 0..<batches {
            var batch: [HandedEvent] = []
            for _ in 0..<3 {
                let payload = Payload()
                refs.append(Weak(payload))
                batch.append(HandedEvent(position: position, streamId: "s-\(position)", version: 1, type: "Happened", atMillis: 0, attachment: payload))
                position += 1
            }
            feed.append(batch)
        }
        return refs
    }

    struct Weak {
        weak var object: Payload?
        init(_ object: Payload) { self.object = object }
    }

    @Test func withoutAReaderTheWriterFreesWhatLeftTheWindow() {
        let feed = CommitFeed(capacity: 30)
        let refs = fill(feed, batches: 100)  // 300 events, ten windows' worth
        // Everything beyond the window and one window's backlog has been freed.
        let alive = refs.filter { $0.object != nil }.count
        #expect(alive <= 60 + 3)
        #expect(refs.prefix(200).allSatisfy { $0.object == nil })
        // The window itself is still served.
        #expect(feed.events(from: 299, limit: 10).map(\.position) == [299, 300])
    }

    @Test func aReaderFreesWhatLeftTheWindowOnItsOwnThread() {
        let feed = CommitFeed(capacity: 30)
        let refs = fill(feed, batches: 15)  // 45 events: 15 left the window, not yet freed
        #expect(refs.prefix(15).contains { $0.object != nil })
        _ = feed.events(from: 40, limit: 1)
        #expect(refs.prefix(15).allSatisfy { $0.object == nil })
        #expect(refs.suffix(30).allSatisfy { $0.object != nil })
    }
}
