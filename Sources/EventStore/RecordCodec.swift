import CanonicalJSON
import CryptoPrimitives

/// Builds and reads the stored form of an event record.
///
/// A record is the RFC 8785 canonical JSON of
/// `{at, data, hash, metadata, position, prevHash, streamId, type, version}`, and
/// `hash = SHA-256(raw prevHash ‖ canonical record without "hash")`. Because canonical members
/// are sorted, `hash` sits between `data` and `metadata`; the writer serializes the two halves
/// once and hashes and stores them without re-encoding anything.
enum RecordCodec {
    static let zeroHash = [UInt8](repeating: 0, count: 32)
    static let zeroHashHex = String(repeating: "0", count: 64)

    /// Assembles and hashes the stored bytes of one record into `record` (emptied first, its
    /// capacity kept: the writer reuses one buffer for every record of a batch): the part
    /// before `hash`, a placeholder for it, the part after; the digest covers the two parts
    /// and is then written into the placeholder.
    ///
    /// `chain` comes in as the previous record's hash and leaves as this record's, overwritten
    /// in place: the writer carries it from event to event without allocating a digest each.
    static func encode(position: UInt64, streamId: String, version: UInt64, type: String, at: String,
                       canonicalData: [UInt8], metadata: EventMetadata, chain: inout [UInt8], hasher: SHA256.Hasher,
                       into record: inout [UInt8]) {
        record.removeAll(keepingCapacity: true)
        record.reserveCapacity(canonicalData.count + 420)
        record.append(contentsOf: #"{"at":"#.utf8)
        CanonicalJSON.writeString(at, into: &record)
        record.append(contentsOf: #","data":"#.utf8)
        record.append(contentsOf: canonicalData)
        record.append(UInt8(ascii: ","))
        let headEnd = record.count
        record.append(contentsOf: #""hash":""#.utf8)
        let hashOffset = record.count
        record.append(contentsOf: placeholder)
        record.append(contentsOf: #"","#.utf8)
        let tailStart = record.count
        record.append(contentsOf: #""metadata":{"actor":"#.utf8)
        writeOptional(metadata.actor, into: &record)
        record.append(contentsOf: #","causationId":"#.utf8)
        writeOptional(metadata.causationId, into: &record)
        record.append(contentsOf: #","commandId":"#.utf8)
        writeOptional(metadata.commandId, into: &record)
        record.append(contentsOf: #","correlationId":"#.utf8)
        writeOptional(metadata.correlationId, into: &record)
        record.append(contentsOf: #"},"position":"#.utf8)
        CanonicalJSON.writeInteger(Int64(position), into: &record)
        record.append(contentsOf: #","prevHash":""#.utf8)
        Hex.append(chain, to: &record)
        record.append(contentsOf: #"","streamId":"#.utf8)
        CanonicalJSON.writeString(streamId, into: &record)
        record.append(contentsOf: #","type":"#.utf8)
        CanonicalJSON.writeString(type, into: &record)
        record.append(contentsOf: #","version":"#.utf8)
        CanonicalJSON.writeInteger(Int64(version), into: &record)
        record.append(UInt8(ascii: "}"))

        hasher.reset()
        hasher.update(chain)
        record.withUnsafeBytes { bytes in
            hasher.update(UnsafeRawBufferPointer(rebasing: bytes[..<headEnd]))
            hasher.update(UnsafeRawBufferPointer(rebasing: bytes[tailStart...]))
        }
        hasher.finalize(into: &chain)
        Hex.write(chain, into: &record, at: hashOffset)
    }

    private static let placeholder = [UInt8](repeating: UInt8(ascii: "0"), count: 64)

    private static func writeOptional(_ value: String?, into out: inout [UInt8]) {
        if let value {
            CanonicalJSON.writeString(value, into: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    /// Parses stored bytes into a record; `position` is the key it was stored under.
    static func decode(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(EventStoreError) -> RecordedEvent {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .corruptRecord(position: position, reason: "not JSON (\(error.reason))")
        }
        guard case .object(let m) = value,
              case .int(let storedPosition)? = m["position"],
              case .string(let streamId)? = m["streamId"],
              case .int(let version)? = m["version"],
              case .string(let type)? = m["type"],
              case .string(let at)? = m["at"],
              let data = m["data"],
              case .object(let meta)? = m["metadata"],
              case .string(let prevHash)? = m["prevHash"],
              case .string(let hash)? = m["hash"]
        else {
            throw .corruptRecord(position: position, reason: "missing or mistyped members")
        }
        try checkHeader(storedPosition: storedPosition, version: version, position: position)
        return RecordedEvent(
            position: position, streamId: streamId, version: UInt64(version), type: type, at: at, data: data,
            metadata: EventMetadata(
                commandId: meta["commandId"]?.stringValue, correlationId: meta["correlationId"]?.stringValue,
                causationId: meta["causationId"]?.stringValue, actor: meta["actor"]?.stringValue),
            prevHash: prevHash, hash: hash)
    }

    /// A record must name the position it is stored under and a version from 1.
    static func checkHeader(storedPosition: Int64, version: Int64, position: UInt64) throws(EventStoreError) {
        guard storedPosition >= 0, UInt64(storedPosition) == position, version >= 1 else {
            throw .corruptRecord(position: position, reason: "record says position \(storedPosition), version \(version)")
        }
    }

    private static let hashMemberPattern = Array(#","hash":""#.utf8)

    /// Where the top-level `"hash":"<64 hex>",` member sits in stored bytes.
    ///
    /// The canonical form puts it right after `data`; a member name cannot appear inside a
    /// string (its quotes would be escaped) and nothing after `data` is named `hash`, so the
    /// last structural occurrence is the top-level one. `headEnd` is the index of the comma
    /// before it (the end of the part before `hash`), `tailStart` the first byte after it.
    static func hashMember(in bytes: UnsafeRawBufferPointer) -> (headEnd: Int, hexStart: Int, tailStart: Int)? {
        let pattern = hashMemberPattern
        guard bytes.count > pattern.count + 66 else { return nil }
        var start = bytes.count - pattern.count - 66
        while start >= 0 {
            var match = true
            for i in 0..<pattern.count where bytes[start + i] != pattern[i] {
                match = false
                break
            }
            if match { break }
            start -= 1
        }
        guard start >= 0 else { return nil }
        let hexStart = start + pattern.count
        guard bytes[hexStart + 64] == UInt8(ascii: "\""), bytes[hexStart + 65] == UInt8(ascii: ",") else { return nil }
        return (start, hexStart, hexStart + 66)
    }

    /// Recomputes the hash of stored bytes given the previous hash, without re-serializing:
    /// the bytes minus the `hash` member are exactly the canonical record without it. Returns
    /// nil when the bytes do not have that shape (which verification reports as tampering).
    static func recomputeHash(of bytes: UnsafeRawBufferPointer, prevHash: [UInt8]) -> (stored: String, computed: [UInt8])? {
        guard let member = hashMember(in: bytes) else { return nil }
        let stored = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[member.hexStart..<member.hexStart + 64]), as: UTF8.self)
        var input: [UInt8] = []
        input.reserveCapacity(bytes.count + 32)
        input.append(contentsOf: prevHash)
        input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0...member.headEnd]))
        input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[member.tailStart...]))
        return (stored, SHA256.hash(input))
    }
}
