import CLibCrypto
import Synchronization

/// Cryptographically secure random bytes from libcrypto's DRBG.
public enum SecureRandom {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "the system random generator failed" }
    }

    public static func bytes(_ count: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try fill(&out)
        return out
    }

    /// A few random bytes for values made on every request (AES-GCM nonces, payment nonces, id
    /// suffixes), served from a buffer the DRBG fills 4 KiB at a time. The bytes are the DRBG's
    /// own and each is handed out once; what changes is the cost: one `RAND_bytes` call, with
    /// its lock, time check and provider dispatch, was ~2 µs under load, a third of sealing an
    /// address. Keys, salts and tokens keep calling `bytes`.
    public static func pooledBytes(_ count: Int) throws(Failure) -> [UInt8] {
        guard count <= Pool.size else { return try bytes(count) }
        return try pool.take(count)
    }

    private static let pool = Pool()

    private static func fill(_ buffer: inout [UInt8]) throws(Failure) {
        let count = buffer.count
        let ok = buffer.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { throw Failure() }
    }

    private final class Pool: Sendable {
        static let size = 4096
        /// Bytes from `offset` on are unused; refilled when too few are left.
        private let state = Mutex<(buffer: [UInt8], offset: Int)>(([UInt8](repeating: 0, count: Pool.size), Pool.size))

        func take(_ count: Int) throws(Failure) -> [UInt8] {
            let taken = state.withLock { state -> [UInt8]? in
                if state.offset + count > Pool.size {
                    guard (try? SecureRandom.fill(&state.buffer)) != nil else { return nil }
                    state.offset = 0
                }
                defer { state.offset += count }
                return Array(state.buffer[state.offset..<state.offset + count])
            }
            guard let taken else { throw Failure() }
            return taken
        }
    }
}
