import Domain
import EventStore

/// One event of the log as projections see it: decoded once, shared by every projection.
public struct ProjectedEvent: Sendable {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    /// Commit time of its batch.
    public let at: Timestamp
    public let event: DomainEvent

    public init(_ recorded: RecordedEvent) throws {
        position = recorded.position
        streamId = recorded.streamId
        version = recorded.version
        at = Timestamp(rfc3339: recorded.at) ?? Timestamp(millis: 0)
        event = try DomainEvent.decode(type: recorded.type, data: recorded.data)
    }

    /// The id part of the stream id (`U1` for `cart-U1`).
    public var entityId: String { StreamId.entityId(of: streamId) }
}
