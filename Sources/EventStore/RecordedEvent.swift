import CanonicalJSON

/// An event as stored in the log (API.md "Event record").
public struct RecordedEvent: Sendable, Hashable {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    public let type: String
    /// RFC 3339 UTC commit time, millisecond precision, non-decreasing along the log.
    public let at: String
    public let data: JSONValue
    public let metadata: EventMetadata
    public let prevHash: String
    public let hash: String

    public init(position: UInt64, streamId: String, version: UInt64, type: String, at: String, data: JSONValue,
                metadata: EventMetadata, prevHash: String, hash: String) {
        self.position = position
        self.streamId = streamId
        self.version = version
        self.type = type
        self.at = at
        self.data = data
        self.metadata = metadata
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The record as a JSON value, members exactly as stored.
    public var jsonValue: JSONValue {
        .object([
            "position": .int(Int64(position)),
            "streamId": .string(streamId),
            "version": .int(Int64(version)),
            "type": .string(type),
            "at": .string(at),
            "data": data,
            "metadata": .object([
                "commandId": metadata.commandId.map(JSONValue.string) ?? .null,
                "correlationId": metadata.correlationId.map(JSONValue.string) ?? .null,
                "causationId": metadata.causationId.map(JSONValue.string) ?? .null,
                "actor": metadata.actor.map(JSONValue.string) ?? .null,
            ]),
            "prevHash": .string(prevHash),
            "hash": .string(hash),
        ])
    }
}

/// Where a stream stands: its last version and the global position of that event.
public struct StreamHead: Sendable, Hashable {
    public let version: UInt64
    public let position: UInt64

    public init(version: UInt64, position: UInt64) {
        self.version = version
        self.position = position
    }
}
