import CanonicalJSON
import EventStore
import Synchronization

func event(_ type: String = "Happened", _ data: JSONValue = ["n": 1]) throws -> ProposedEvent {
    try ProposedEvent(type: type, data: data, metadata: EventMetadata(commandId: "c", correlationId: "r", causationId: nil, actor: "tester"))
}

func appendOne(_ store: EventStore, stream: String, expected: ExpectedVersion = .any, data: JSONValue = ["n": 1]) async throws -> AppendOutcome {
    let submission = try await store.append([StreamAppend(streamId: stream, expectedVersion: expected, events: [try event("Happened", data)])])
    guard case .completed(let outcome, _) = submission else { throw Unexpected.replayed }
    return outcome
}

enum Unexpected: Error { case replayed }

/// A fixed clock for deterministic `at` stamps.
let fixedClock: @Sendable () -> Int64 = { 1_795_593_600_000 }

/// A clock a test moves by hand, for a store whose batches it stamps.
final class ManualClock: Sendable {
    private let millis = Atomic<Int64>(1_795_593_600_000)

    func advance(hours: Int64) { millis.add(hours * 3_600_000, ordering: .relaxed) }

    func now() -> Int64 { millis.load(ordering: .relaxed) }

    /// A store in `directory` on this clock.
    func store(in directory: String) throws -> EventStore {
        var configuration = EventStore.Configuration()
        configuration.clock = { [self] in now() }
        return try EventStore(directory: directory, configuration: configuration)
    }
}

