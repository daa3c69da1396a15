import CanonicalJSON
import CryptoPrimitives
import LMDB

/// The verdict of walking the log.
public enum VerificationResult: Sendable, Equatable {
    case verified(events: UInt64, head: String)
    case failed(position: UInt64, reason: String)
}

extension EventStore {
    /// Walks the log in one read snapshot, in constant memory, and checks: positions gapless
    /// from 1; each record's `position` is its key; `prevHash` is the previous record's hash
    /// (zeros first); `hash` recomputes over the stored bytes; the stream index maps each
    /// record's (stream, version) back to it — up to the position its marker says it holds; past
    /// it an entry may still be in the writer's memory (see `PendingStreamIndex`), and one that
    /// is there must map to its record. A second, sequential pass over the index checks that it
    /// holds nothing else and that every stream's versions run 1, 2, 3… at increasing positions.
    /// Returns the first bad position.
    public func verify(progress: ((UInt64) -> Void)? = nil) throws -> VerificationResult {
        try environment.read { txn in
            let indexedThrough = try layout.indexedThrough(txn) ?? .max
            let hasher = SHA256.Hasher()
            var expected: UInt64 = 1
            var prevHash = RecordCodec.zeroHash
            var prevHex = Array(RecordCodec.zeroHashHex.utf8)
            var indexedEvents: UInt64 = 0
            let failure: VerificationResult? = try txn.withCursor(layout.log) { cursor -> VerificationResult? in
                var entry = try cursor.first()
                while let current = entry {
                    guard current.key.count == 8, let position = BigEndian.uint64(current.key) else {
                        return .failed(position: expected, reason: "log key is not a 64-bit position")
                    }
                    guard position == expected else {
                        return .failed(position: expected, reason: "position \(expected) is missing (next stored is \(position))")
                    }
                    switch try checkRecord(current.value, position: position, prevHash: prevHash, prevHex: prevHex, hasher: hasher,
                                             mustBeIndexed: position <= indexedThrough, txn: txn) {
                    case .failure(let problem):
                        return .failed(position: position, reason: problem.reason)
                    case .success(let (hash, isIndexed)):
                        if isIndexed { indexedEvents += 1 }
                        prevHash = hash
                        prevHex = Array(Hex.encode(hash).utf8)
                    }
                    if position % 100_000 == 0 { progress?(position) }
                    expected += 1
                    entry = try cursor.next()
                }
                return nil
            }
            if let failure { return failure }
            let count = expected - 1
            if let problem = try checkStreamIndex(txn: txn, events: indexedEvents) { return problem }
            return .verified(events: count, head: String(decoding: prevHex, as: UTF8.self))
        }
    }

    /// The index holds one entry per event, and within a stream versions run 1, 2, 3… with
    /// increasing positions.
    private func checkStreamIndex(txn: Transaction, events: UInt64) throws -> VerificationResult? {
        let indexed = try txn.count(layout.streams)
        if UInt64(indexed) != events {
            return .failed(position: events, reason: "stream index holds \(indexed) entries for \(events) events")
        }
        return try txn.withCursor(layout.streams) { cursor -> VerificationResult? in
            var previousStream: [UInt8] = []
            var previousVersion: UInt64 = 0
            var previousPosition: UInt64 = 0
            var entry = try cursor.first()
            while let current = entry {
                guard current.key.count > 9, let position = BigEndian.uint64(current.value),
                      let version = BigEndian.uint64(current.key, at: current.key.count - 8)
                else { return .failed(position: 0, reason: "malformed stream index entry") }
                let stream = [UInt8](UnsafeRawBufferPointer(rebasing: current.key[..<(current.key.count - 9)]))
                if stream == previousStream {
                    guard version == previousVersion + 1, position > previousPosition else {
                        let name = String(decoding: stream, as: UTF8.self)
                        return .failed(position: position, reason: "\(name) v\(version) does not follow v\(previousVersion) at position \(previousPosition)")
                    }
                } else if version != 1 {
                    return .failed(position: position, reason: "\(String(decoding: stream, as: UTF8.self)) starts at v\(version)")
                }
                previousStream = stream
                previousVersion = version
                previousPosition = position
                entry = try cursor.next()
            }
            return nil
        }
    }
}

private struct Problem: Error {
    let reason: String
}

extension EventStore {
    private func checkRecord(_ bytes: UnsafeRawBufferPointer, position: UInt64, prevHash: [UInt8], prevHex: [UInt8], hasher: SHA256.Hasher,
                             mustBeIndexed: Bool, txn: Transaction) throws -> Result<(hash: [UInt8], isIndexed: Bool), Problem> {
        guard let member = RecordCodec.hashMember(in: bytes) else {
            return .failure(Problem(reason: "record is not in stored form (no hash member)"))
        }
        hasher.reset()
        hasher.update(prevHash)
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0...member.headEnd]))
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[member.tailStart...]))
        let computed = hasher.finalize()
        let stored = UnsafeRawBufferPointer(rebasing: bytes[member.hexStart..<member.hexStart + 64])
        guard Hex.decode(String(decoding: stored, as: UTF8.self)) == computed else {
            return .failure(Problem(reason: "hash mismatch: stored \(String(decoding: stored.prefix(16), as: UTF8.self))…, computed \(Hex.encode(computed).prefix(16))…"))
        }
        let envelope: RecordedEnvelope
        do {
            envelope = try RecordedEnvelope(bytes, tailStart: member.tailStart)
        } catch {
            return .failure(Problem(reason: "record envelope unreadable: \(error)"))
        }
        guard envelope.position == position else {
            return .failure(Problem(reason: "record says position \(envelope.position)"))
        }
        guard envelope.prevHash == prevHex else {
            return .failure(Problem(reason: "prevHash does not match the hash of position \(position - 1)"))
        }
        var key = envelope.streamId
        key.append(0)
        BigEndian.append(envelope.version, to: &key)
        guard let indexed = try txn.get(layout.streams, key) else {
            // Past the marker an entry may still be in the writer's memory only.
            guard !mustBeIndexed else {
                return .failure(Problem(reason: "stream index does not map \(String(decoding: envelope.streamId, as: UTF8.self)) v\(envelope.version) to this position"))
            }
            return .success((computed, false))
        }
        guard BigEndian.uint64(indexed) == position else {
            return .failure(Problem(reason: "stream index maps \(String(decoding: envelope.streamId, as: UTF8.self)) v\(envelope.version) to another position"))
        }
        return .success((computed, true))
    }
}

/// The members after `hash` in a stored record — `"metadata":{…},"position":N,
/// "prevHash":"…","streamId":"…","type":"…","version":N}` — read with a scanner (stream ids
/// and types are never escaped), falling back to the JSON parser for anything unusual.
struct RecordedEnvelope {
    let position: UInt64
    let prevHash: [UInt8]
    let streamId: [UInt8]
    let version: UInt64

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: UnsafeRawBufferPointer, tailStart: Int) throws {
        if let scanned = Self.scan(bytes, from: tailStart) {
            self = scanned
            return
        }
        var object: [UInt8] = [UInt8(ascii: "{")]
        object.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[tailStart...]))
        let value = try JSONParser.parse(object)
        guard case .int(let position)? = value["position"], position > 0,
              case .string(let prevHash)? = value["prevHash"],
              case .string(let streamId)? = value["streamId"],
              case .int(let version)? = value["version"], version > 0
        else { throw Unreadable(description: "missing or mistyped members") }
        self.init(position: UInt64(position), prevHash: Array(prevHash.utf8), streamId: Array(streamId.utf8), version: UInt64(version))
    }

    private init(position: UInt64, prevHash: [UInt8], streamId: [UInt8], version: UInt64) {
        self.position = position
        self.prevHash = prevHash
        self.streamId = streamId
        self.version = version
    }

    private static let positionMark = Array(#"},"position":"#.utf8)
    private static let prevHashMark = Array(#","prevHash":""#.utf8)
    private static let streamMark = Array(#"","streamId":""#.utf8)
    private static let typeMark = Array(#"","type":""#.utf8)
    private static let versionMark = Array(#"","version":"#.utf8)

    private static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) -> RecordedEnvelope? {
        var index = start
        func expect(_ mark: [UInt8]) -> Bool {
            guard index + mark.count <= bytes.count else { return false }
            for i in 0..<mark.count where bytes[index + i] != mark[i] { return false }
            index += mark.count
            return true
        }
        func number() -> UInt64? {
            var value: UInt64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                value = value &* 10 &+ UInt64(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            return digits > 0 && digits < 20 ? value : nil
        }
        func plain() -> [UInt8]? {
            let begin = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[begin..<index]))
        }
        // The metadata object ends at the first `},"position":` (a quote inside a string is
        // escaped, so that sequence cannot occur within one).
        let mark = positionMark
        var found = -1
        var i = start
        while i + mark.count <= bytes.count {
            if bytes[i] == mark[0] {
                var match = true
                for j in 1..<mark.count where bytes[i + j] != mark[j] {
                    match = false
                    break
                }
                if match {
                    found = i
                    break
                }
            }
            i += 1
        }
        guard found >= 0 else { return nil }
        index = found + mark.count
        guard let position = number(), expect(prevHashMark) else { return nil }
        guard index + 64 <= bytes.count else { return nil }
        let prevHash = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[index..<index + 64]))
        index += 64
        guard expect(streamMark), let streamId = plain(), expect(typeMark), plain() != nil, expect(versionMark),
              let version = number(), index == bytes.count - 1, bytes[index] == UInt8(ascii: "}"), position > 0, version > 0
        else { return nil }
        return RecordedEnvelope(position: position, prevHash: prevHash, streamId: streamId, version: version)
    }
}
