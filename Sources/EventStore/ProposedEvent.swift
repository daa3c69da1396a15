import CanonicalJSON

/// An event on its way into the log: its type and its data, already in canonical JSON.
///
/// The data is canonicalized here, in the caller's task, so the single writer only assembles,
/// hashes and writes bytes.
public struct ProposedEvent: Sendable {
    public let type: String
    public let canonicalData: [UInt8]
    /// The metadata with its record member already written (see `PreparedMetadata`).
    public let preparedMetadata: PreparedMetadata
    public var metadata: EventMetadata { preparedMetadata.fields }
    /// The appender's own in-memory form of this event, never stored: in-process subscribers
    /// get it back with the committed event (`HandedEvent`) instead of decoding the bytes.
    /// It must be exactly what `canonicalData` decodes to.
    public var attachment: (any Sendable)?

    public init(type: String, data: JSONValue, metadata: EventMetadata = EventMetadata()) throws(EventStoreError) {
        try Self.validate(type: type)
        guard case .object = data else { throw .invalidArgument("event data must be a JSON object") }
        do {
            self.canonicalData = try CanonicalJSON.serialize(data)
        } catch {
            throw .invalidArgument("event data holds a non-integer number")
        }
        self.type = type
        self.preparedMetadata = PreparedMetadata(metadata)
    }

    /// An event whose data is already canonical JSON (a `CanonicalWritable` payload). The
    /// bytes must be one canonical JSON object; they are hashed and stored as given.
    public init(type: String, canonicalData: [UInt8], metadata: EventMetadata = EventMetadata(),
                attachment: (any Sendable)? = nil) throws(EventStoreError) {
        try self.init(type: type, canonicalData: canonicalData, metadata: PreparedMetadata(metadata), attachment: attachment)
    }

    /// The same with metadata prepared once for all the events of a command.
    public init(type: String, canonicalData: [UInt8], metadata: PreparedMetadata, attachment: (any Sendable)? = nil) throws(EventStoreError) {
        try Self.validate(type: type)
        guard canonicalData.first == UInt8(ascii: "{"), canonicalData.last == UInt8(ascii: "}") else {
            throw .invalidArgument("event data must be a JSON object")
        }
        self.type = type
        self.canonicalData = canonicalData
        self.preparedMetadata = metadata
        self.attachment = attachment
    }

    private static func validate(type: String) throws(EventStoreError) {
        guard !type.isEmpty, type.utf8.count <= 128, StreamName.isPlain(type) else {
            throw .invalidArgument("event type must be 1–128 printable ASCII characters, without quotes or backslashes")
        }
    }
}

/// Events for one stream, with the version that stream must be at.
public struct StreamAppend: Sendable {
    public let streamId: String
    public let expectedVersion: ExpectedVersion
    public let events: [ProposedEvent]

    public init(streamId: String, expectedVersion: ExpectedVersion, events: [ProposedEvent]) {
        self.streamId = streamId
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

enum StreamName {
    /// 1–255 bytes of printable ASCII without spaces, quotes or backslashes: safe as a key
    /// prefix before the 0x00 separator of the stream index, readable in `mdb_dump`, and never
    /// escaped in a record (so verification can read it without a JSON parser).
    static func validate(_ streamId: String) throws(EventStoreError) {
        let bytes = streamId.utf8
        guard !bytes.isEmpty, bytes.count <= 255, isPlain(streamId) else {
            throw .invalidArgument("stream id must be 1–255 printable ASCII characters, without quotes or backslashes")
        }
    }

    /// Every byte of `text` plain. Over its contiguous UTF-8 (every native string has it, a
    /// small one copied to the stack): `utf8.allSatisfy` walked the view index by index, ~1.5 %
    /// of the writer under orders, which validates each event's type and each stream's id.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isPlain) } ?? text.utf8.allSatisfy(isPlain)
    }

    static func isPlain(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }
}
