import CanonicalJSON

/// What a reader that rebuilds state needs of a stored record: where it sits, what it is and
/// its data — without the hashes and metadata, which are most of a record's bytes and are
/// only for the auditor (`RecordedEvent` has everything).
public struct EventEnvelope: Sendable, Hashable {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    public let type: String
    /// RFC 3339 UTC commit time, as stored.
    public let at: String
    public let data: JSONValue

    public init(position: UInt64, streamId: String, version: UInt64, type: String, at: String, data: JSONValue) {
        self.position = position
        self.streamId = streamId
        self.version = version
        self.type = type
        self.at = at
        self.data = data
    }

    public init(_ recorded: RecordedEvent) {
        self.init(position: recorded.position, streamId: recorded.streamId, version: recorded.version, type: recorded.type,
                  at: recorded.at, data: recorded.data)
    }
}
