import CLibCrypto

/// PBKDF2-HMAC-SHA256 (RFC 8018) through libcrypto. CPU-heavy by design: call it off the writer
/// and off the cooperative pool.
public enum PBKDF2 {
    public static func deriveKey(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        password.withUnsafeBytes { p in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBufferPointer { o in
                    _ = PKCS5_PBKDF2_HMAC(
                        p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                        s.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                        Int32(clamping: iterations), EVP_sha256(), Int32(length), o.baseAddress)
                }
            }
        }
        return out
    }
}
