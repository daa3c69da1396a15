import CanonicalJSON
import CryptoPrimitives
import LMDB

/// The verdict of walking the log.
public enum VerificationResult: Sendable, Equatable {
    case verified(events: UInt64, head: String)
    case failed(position: UInt64, reason: String)
}

extension EventStore {
    /// Walks the whole log in one read snapshot, in constant memory, and checks:
    /// positions gapless from 1; each record's `position` is its key; `prevHash` is the previous
    /// record's hash (zeros first); `hash` recomputes over the stored bytes; the stream index
    /// holds exactly one entry per record pointing back to it, and each stream's previous
    /// version precedes it. Returns the first bad position.
    public func verify(progress: ((UInt64) -> Void)? = nil) throws -> VerificationResult {
        try environment.read { txn in
            var expected: UInt64 = 1
            var prevHash = RecordCodec.zeroHash
            var prevHex = RecordCodec.zeroHashHex
            let failure: VerificationResult? = try txn.withCursor(layout.log) { cursor -> VerificationResult? in
                var entry = try cursor.first()
                while let current = entry {
                    guard let position = BigEndian.uint64(current.key), current.key.count == 8 else {
                        return .failed(position: expected, reason: "log key is not a 64-bit position")
                    }
                    guard position == expected else {
                        return .failed(position: expected, reason: "position \(expected) is missing (next stored is \(position))")
                    }
                    switch try checkRecord(current.value, position: position, prevHash: prevHash, prevHex: prevHex, txn: txn) {
                    case .failure(let problem):
                        return .failed(position: position, reason: problem.reason)
                    case .success(let hash):
                        prevHash = hash.raw
                        prevHex = hash.hex
                    }
                    if position % 100_000 == 0 { progress?(position) }
                    expected += 1
                    entry = try cursor.next()
                }
                return nil
            }
            if let failure { return failure }
            let count = expected - 1
            let indexed = try txn.count(layout.streams)
            if UInt64(indexed) != count {
                return .failed(position: count, reason: "stream index holds \(indexed) entries for \(count) events")
            }
            return .verified(events: count, head: prevHex)
        }
    }
}

private struct Problem: Error {
    let reason: String
}

private struct VerifiedHash {
    let raw: [UInt8]
    let hex: String
}

extension EventStore {
    private func checkRecord(_ bytes: UnsafeRawBufferPointer, position: UInt64, prevHash: [UInt8], prevHex: String,
                             txn: Transaction) throws -> Result<VerifiedHash, Problem> {
        guard let recomputed = RecordCodec.recomputeHash(of: bytes, prevHash: prevHash) else {
            return .failure(Problem(reason: "record is not in stored form (no hash member)"))
        }
        let computedHex = Hex.encode(recomputed.computed)
        guard computedHex == recomputed.stored else {
            return .failure(Problem(reason: "hash mismatch: stored \(recomputed.stored.prefix(16))…, computed \(computedHex.prefix(16))…"))
        }
        let envelope: RecordedEnvelope
        do {
            envelope = try RecordedEnvelope(bytes)
        } catch {
            return .failure(Problem(reason: "record envelope unreadable: \(error)"))
        }
        guard envelope.position == position else {
            return .failure(Problem(reason: "record says position \(envelope.position)"))
        }
        guard envelope.prevHash == prevHex else {
            return .failure(Problem(reason: "prevHash does not match the hash of position \(position - 1)"))
        }
        let indexed = try txn.get(layout.streams, StoreLayout.streamKey(envelope.streamId, version: envelope.version))
        guard let indexed, BigEndian.uint64(indexed) == position else {
            return .failure(Problem(reason: "stream index does not map \(envelope.streamId) v\(envelope.version) to this position"))
        }
        if envelope.version > 1 {
            let previous = try txn.get(layout.streams, StoreLayout.streamKey(envelope.streamId, version: envelope.version - 1))
            guard let previous, let previousPosition = BigEndian.uint64(previous), previousPosition < position else {
                return .failure(Problem(reason: "\(envelope.streamId) v\(envelope.version) has no earlier v\(envelope.version - 1)"))
            }
        }
        return .success(VerifiedHash(raw: recomputed.computed, hex: computedHex))
    }
}

/// The members after `hash` in a stored record (metadata, position, prevHash, streamId, type,
/// version): `{` followed by them is itself a JSON object, so verification parses only that.
struct RecordedEnvelope {
    let position: UInt64
    let prevHash: String
    let streamId: String
    let version: UInt64

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: UnsafeRawBufferPointer) throws {
        guard let tailStart = RecordCodec.hashMember(in: bytes)?.tailStart else { throw Unreadable(description: "no hash member") }
        var object: [UInt8] = [UInt8(ascii: "{")]
        object.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[tailStart...]))
        let value = try JSONParser.parse(object)
        guard case .int(let position)? = value["position"], position > 0,
              case .string(let prevHash)? = value["prevHash"],
              case .string(let streamId)? = value["streamId"],
              case .int(let version)? = value["version"], version > 0
        else { throw Unreadable(description: "missing or mistyped members") }
        self.position = UInt64(position)
        self.prevHash = prevHash
        self.streamId = streamId
        self.version = UInt64(version)
    }
}
