import CanonicalJSON
import CryptoPrimitives

/// The bytes a record is assembled in before LMDB copies it into its page: one buffer for every
/// record of a batch, allocated by hand so the writer fills it without opening an array's bytes
/// in a closure (see `RecordCodec.encode`). Touched by the writer thread alone.
final class RecordBuffer {
    private(set) var memory: UnsafeMutableRawBufferPointer

    init(capacity: Int = 4096) {
        memory = .allocate(byteCount: capacity, alignment: 8)
    }

    /// Room for at least `count` bytes; what the buffer held is not kept.
    func reserve(_ count: Int) {
        guard memory.count < count else { return }
        memory.deallocate()
        memory = .allocate(byteCount: max(count, 2 * memory.count), alignment: 8)
    }

    deinit { memory.deallocate() }
}

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

    /// Assembles and hashes the stored bytes of one record in `buffer`, and returns them: the
    /// part before `hash`, a placeholder for it, the part after; the digest covers the two parts
    /// and is then written into the placeholder. `buffer` is grown when the record might not fit
    /// and otherwise reused as it is (the writer keeps one for every record of a batch).
    ///
    /// `chain` comes in as the previous record's hash and leaves as this record's, overwritten
    /// in place: the writer carries it from event to event without allocating a digest each.
    ///
    /// No closure opens the buffer's bytes. With the buffer an array opened in a closure, and the
    /// event's type, data and metadata handed over one by one, the writer retained and released
    /// each of them around every record: its reference-count calls an order went 464 → 390 with
    /// this form (callgrind, `commands`, 2026-11-28). The event is still copied once for the call;
    /// the attachment made a class reference (the event then loadable) and the events read
    /// through `withUnsafeBufferPointer` both left that copy in place (2026-11-29).
    ///
    /// `at` is the batch's commit time as a JSON string, quotes included: written once per batch
    /// (`Batch.atJSON`) rather than escaped into each record.
    ///
    /// `chainHex` is `chain` in lowercase hex, kept in step with it: a record's `hash` is the next
    /// one's `prevHash`, so each hash is turned into hex once, not twice.
    static func encode(position: UInt64, streamId: String, version: UInt64, event: ProposedEvent, at: [UInt8],
                       chain: inout [UInt8], chainHex: inout [UInt8], hasher: SHA256.Hasher, into buffer: RecordBuffer) -> UnsafeRawBufferPointer {
        let bound = fixedBytes + event.canonicalData.count + 2 * BoundedWriter.maxIntegerBytes + 4 * chain.count
            + at.count + BoundedWriter.maxBytes(string: streamId) + BoundedWriter.maxBytes(string: event.type)
            + event.preparedMetadata.canonicalJSON.count
        buffer.reserve(bound)
        while true {
            if let count = write(position: position, streamId: streamId, version: version, event: event, at: at, chain: &chain, chainHex: &chainHex,
                                 hasher: hasher, into: buffer.memory) {
                return UnsafeRawBufferPointer(rebasing: buffer.memory[..<count])
            }
            // The bound above fell short (it cannot, but a miscount must cost a second try, not
            // a broken record): nothing was hashed; try again in twice the room.
            buffer.reserve(2 * buffer.memory.count)
        }
    }

    /// One try at `encode`: nil, with `chain` and `chainHex` untouched, when the record did not fit.
    private static func write(position: UInt64, streamId: String, version: UInt64, event: ProposedEvent, at: [UInt8],
                              chain: inout [UInt8], chainHex: inout [UInt8], hasher: SHA256.Hasher,
                              into memory: UnsafeMutableRawBufferPointer) -> Int? {
        var out = BoundedWriter(memory)
        out.literal(#"{"at":"#)
        out.bytes(at)
        out.literal(#","data":"#)
        out.bytes(event.canonicalData)
        out.byte(UInt8(ascii: ","))
        let headEnd = out.count
        out.literal(#""hash":""#)
        let hashOffset = out.count
        out.bytes(placeholder)
        out.literal(#"","#)
        let tailStart = out.count
        out.literal(#""metadata":"#)
        out.bytes(event.preparedMetadata.canonicalJSON)
        out.literal(#","position":"#)
        out.integer(Int64(position))
        out.literal(#","prevHash":""#)
        out.bytes(chainHex)
        out.literal(#"","streamId":"#)
        out.string(streamId)
        out.literal(#","type":"#)
        out.string(event.type)
        out.literal(#","version":"#)
        out.integer(Int64(version))
        out.byte(UInt8(ascii: "}"))
        guard !out.overflowed else { return nil }

        let record = out.written
        hasher.reset()
        hasher.update(chain)
        hasher.update(UnsafeRawBufferPointer(rebasing: record[..<headEnd]))
        hasher.update(UnsafeRawBufferPointer(rebasing: record[tailStart...]))
        hasher.finalize(into: &chain)
        out.hex(chain, at: hashOffset)
        let hashHex = UnsafeRawBufferPointer(rebasing: memory[hashOffset..<(hashOffset + 2 * chain.count)])
        chainHex.withUnsafeMutableBytes { $0.copyMemory(from: hashHex) }
        return record.count
    }

    /// Every byte of a record that does not depend on its values: the member names and
    /// punctuation.
    private static let fixedBytes = #"{"at":,"data":,"hash":"","metadata":,"position":,"prevHash":"","streamId":,"type":,"version":}"#.utf8.count

    private static let placeholder = [UInt8](repeating: UInt8(ascii: "0"), count: 64)

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
}
