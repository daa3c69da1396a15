import Domain
import EventStore

/// One event of the log as projections see it: decoded once, shared by every projection.
///
/// A class: every projection is handed every event, and a struct holding a decoded event is
/// copied on the way (a retain of each of its strings and arrays, per projection — an eighth
/// of a rebuild); a reference is one retain.
public final class ProjectedEvent: Sendable {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    /// Commit time of its batch.
    public let at: Timestamp
    public let event: DomainEvent
    /// The id part of the stream id (`U1` for `cart-U1`), cut once: most projections ask.
    public let entityId: String

    public init(position: UInt64, streamId: String, version: UInt64, at: Timestamp, event: DomainEvent) {
        self.position = position
        self.streamId = streamId
        self.version = version
        self.at = at
        self.event = event
        entityId = StreamId.entityId(of: streamId)
    }

    /// A record read back from the log, in place: the data decoded straight from the stored bytes.
    public convenience init(_ record: RecordView) throws {
        self.init(position: record.position, streamId: record.streamId, version: record.version,
                  at: Timestamp(millis: record.atMillis), event: try DomainEvent.decode(type: record.type, data: record.data, object: record.dataObject))
    }

    /// An event of the commit feed: the typed event its appender attached. Borrowed: an
    /// initializer's arguments are otherwise owned, and every handed event was copied whole
    /// (its strings and attachment retained and released) just to be read here.
    public convenience init(_ handed: borrowing HandedEvent) throws {
        // The feed only hands over events with an attachment; one that is not a domain event
        // was appended by something other than the command processor.
        guard let event = handed.attachment as? DomainEvent else { throw ForeignAttachment(type: handed.type) }
        self.init(position: handed.position, streamId: handed.streamId, version: handed.version,
                  at: Timestamp(millis: handed.atMillis), event: event)
    }
}

/// A committed event whose in-memory attachment is not a `DomainEvent`.
struct ForeignAttachment: Error, CustomStringConvertible {
    let type: String
    var description: String { "the \(type) event was handed over with an attachment that is not a domain event" }
}

