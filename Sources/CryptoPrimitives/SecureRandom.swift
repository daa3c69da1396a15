import CLibCrypto

/// Cryptographically secure random bytes from libcrypto's DRBG.
public enum SecureRandom {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "the system random generator failed" }
    }

    public static func bytes(_ count: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { throw Failure() }
        return out
    }
}
