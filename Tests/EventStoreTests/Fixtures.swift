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
