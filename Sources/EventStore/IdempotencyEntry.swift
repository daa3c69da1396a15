import LMDB

/// A remembered successful command: `createdAt ms ‖ fingerprint (32) ‖ position ‖ response`.
struct IdempotencyEntry {
    let createdAtMillis: Int64
    let fingerprint: [UInt8]
    let position: UInt64
    let response: [UInt8]

    static let fingerprintCount = 32

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(48 + response.count)
        BigEndian.append(UInt64(bitPattern: createdAtMillis), to: &out)
        out.append(contentsOf: fingerprint.prefix(Self.fingerprintCount))
        out.append(contentsOf: [UInt8](repeating: 0, count: max(0, Self.fingerprintCount - fingerprint.count)))
        BigEndian.append(position, to: &out)
        out.append(contentsOf: response)
        return out
    }

    init(createdAtMillis: Int64, fingerprint: [UInt8], position: UInt64, response: [UInt8]) {
        self.createdAtMillis = createdAtMillis
        self.fingerprint = fingerprint
        self.position = position
        self.response = response
    }

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 48, let created = BigEndian.uint64(bytes, at: 0), let position = BigEndian.uint64(bytes, at: 40) else {
            return nil
        }
        createdAtMillis = Int64(bitPattern: created)
        fingerprint = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[8..<40]))
        self.position = position
        response = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[48...]))
    }

    /// Fingerprints are compared padded to 32 bytes, as stored.
    func matches(_ other: [UInt8]) -> Bool {
        var padded = Array(other.prefix(Self.fingerprintCount))
        padded.append(contentsOf: [UInt8](repeating: 0, count: Self.fingerprintCount - padded.count))
        return padded == fingerprint
    }
}
