import CanonicalJSON

/// A stored record read in place: its header decoded, its data left as the stored bytes for
/// the reader to decode (a rebuild decodes each event's data straight from the log's pages,
/// without a `JSONValue` tree). Valid only inside the call that hands it out.
public struct RecordView {
    public let position: UInt64
    public let streamId: String
    public let version: UInt64
    public let type: String
    /// Commit time, milliseconds since the Unix epoch: the stored RFC 3339 time, parsed in
    /// place (no `String` made for it).
    public let atMillis: Int64
    /// The commit time as stored (the writer prints it from the same milliseconds).
    public var at: String { RFC3339.format(millis: atMillis) }
    public let data: JSONObjectView.Slice
    /// `data`'s members, located in the walk that read the header (nil if it is no object).
    public let dataObject: JSONObjectView?
}

extension RecordCodec {
    /// The record stored at `position`, its header checked as `decode` checks it.
    static func view(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(EventStoreError) -> RecordView {
        let record: JSONObjectView
        let dataObject: JSONObjectView?
        do {
            // Our own writes under the hash chain: only what is read is checked (see `Checking`).
            // The data's members are located in the same walk: its reader opens it next, and
            // stepping over it here and walking it again there scanned it twice.
            (record, dataObject) = try JSONObjectView.opening("data", in: bytes, checking: .readValues)
        } catch {
            throw .corruptRecord(position: position, reason: "not JSON (\(error.reason))")
        }
        do {
            guard let stored = try record.value("position")?.int64(), let streamId = try record.value("streamId")?.string(),
                  let version = try record.value("version")?.int64(), let type = try record.value("type")?.string(),
                  let atMillis = record.value("at")?.withUnescapedString(RFC3339.parse(utf8:)) ?? nil, let data = record.value("data")
            else {
                throw EventStoreError.corruptRecord(position: position, reason: "missing or mistyped members")
            }
            try checkHeader(storedPosition: stored, version: version, position: position)
            return RecordView(position: position, streamId: streamId, version: UInt64(version), type: type, atMillis: atMillis, data: data,
                              dataObject: dataObject)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .corruptRecord(position: position, reason: "unreadable header (\(error))")
        }
    }
}

extension EventStore {
    /// Calls `body` with each record from `position` on, in position order, read in place
    /// (see `RecordView`): for rebuilding state from the log.
    public func forEachRecordView(from position: UInt64 = 1, limit: Int = .max, _ body: (RecordView) throws -> Void) throws {
        try forEachRawRecord(from: position, limit: limit) { position, bytes in
            try body(try RecordCodec.view(bytes, position: position))
        }
    }
}
