import CanonicalJSON

/// Who and what caused an event: the `metadata` member of every record.
public struct EventMetadata: Sendable, Hashable, Codable {
    /// The command that appended the event.
    public var commandId: String?
    /// Shared by everything one request (or one timer run) caused.
    public var correlationId: String?
    /// The command or event this one follows from.
    public var causationId: String?
    /// The user id (or `system`) on whose behalf it happened.
    public var actor: String?

    public init(commandId: String? = nil, correlationId: String? = nil, causationId: String? = nil, actor: String? = nil) {
        self.commandId = commandId
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
    }
}

/// An event's metadata with its record member already written: the canonical JSON object
/// (`{"actor":…,"causationId":…,"commandId":…,"correlationId":…}`, `null` for a missing one)
/// that every record of the event carries. Made where the metadata is made — a command's,
/// once per request, on the caller's thread — and shared by all of its events, so the single
/// writer copies these bytes instead of escaping four strings into every record.
public struct PreparedMetadata: Sendable {
    public let fields: EventMetadata
    let canonicalJSON: [UInt8]

    public init(_ fields: EventMetadata) {
        self.fields = fields
        if fields.actor == nil, fields.causationId == nil, fields.commandId == nil, fields.correlationId == nil {
            canonicalJSON = Self.empty.canonicalJSON
        } else {
            canonicalJSON = Self.write(fields)
        }
    }

    private init(writing fields: EventMetadata) {
        self.fields = fields
        canonicalJSON = Self.write(fields)
    }

    /// No metadata at all (an `EventStore.append` without any): written once per process.
    public static let empty = PreparedMetadata(writing: EventMetadata())

    private static func write(_ fields: EventMetadata) -> [UInt8] {
        BoundedWriter.bytes(sizeHint: 64 + maxBytes(fields.actor) + maxBytes(fields.causationId) + maxBytes(fields.commandId)
                                + maxBytes(fields.correlationId)) { out in
            out.literal(#"{"actor":"#)
            writeOptional(fields.actor, into: &out)
            out.literal(#","causationId":"#)
            writeOptional(fields.causationId, into: &out)
            out.literal(#","commandId":"#)
            writeOptional(fields.commandId, into: &out)
            out.literal(#","correlationId":"#)
            writeOptional(fields.correlationId, into: &out)
            out.byte(UInt8(ascii: "}"))
        }
    }

    private static func maxBytes(_ value: String?) -> Int {
        value.map { BoundedWriter.maxBytes(string: $0) } ?? 4
    }

    private static func writeOptional(_ value: String?, into out: inout BoundedWriter) {
        if let value {
            out.string(value)
        } else {
            out.literal("null")
        }
    }
}
