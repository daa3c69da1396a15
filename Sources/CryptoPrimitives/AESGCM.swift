import CLibCrypto

/// AES-256-GCM through libcrypto: authenticated encryption of personal data and data keys.
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "AES-256-GCM: \(reason)" }
    }

    /// The implementation, fetched once: handed `EVP_aes_256_gcm()`, OpenSSL 3 looks the
    /// implementation up again on every init, under its provider store's lock (a third of
    /// sealing one address). A fetched cipher is immutable and may be shared by all threads.
    private nonisolated(unsafe) static let cipher: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)

    private static var implementation: OpaquePointer? { cipher ?? EVP_aes_256_gcm() }

    /// Encrypts `plaintext`; returns ciphertext followed by the 16-byte tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8] = []) throws(Failure) -> [UInt8] {
        guard key.count == keyByteCount, nonce.count == nonceByteCount else { throw Failure(reason: "bad key or nonce size") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw Failure(reason: "no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var length: Int32 = 0
        var ok = key.withUnsafeBufferPointer { k in
            nonce.withUnsafeBufferPointer { n in EVP_EncryptInit_ex(ctx, implementation, nil, k.baseAddress, n.baseAddress) }
        }
        if ok == 1, !associatedData.isEmpty {
            ok = associatedData.withUnsafeBufferPointer { a in EVP_EncryptUpdate(ctx, nil, &length, a.baseAddress, Int32(a.count)) }
        }
        if ok == 1, !plaintext.isEmpty {
            ok = plaintext.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in EVP_EncryptUpdate(ctx, o.baseAddress, &length, p.baseAddress, Int32(p.count)) }
            }
        }
        if ok == 1 {
            ok = out.withUnsafeMutableBufferPointer { o in EVP_EncryptFinal_ex(ctx, o.baseAddress.map { $0 + plaintext.count }, &length) }
        }
        if ok == 1 {
            ok = out.withUnsafeMutableBufferPointer { o in
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), o.baseAddress.map { $0 + plaintext.count })
            }
        }
        guard ok == 1 else { throw Failure(reason: "encryption failed") }
        return out
    }

    /// Decrypts ciphertext-with-tag; throws when the tag does not verify (wrong key or tampering).
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8] = []) throws(Failure) -> [UInt8] {
        guard key.count == keyByteCount, nonce.count == nonceByteCount else { throw Failure(reason: "bad key or nonce size") }
        guard sealed.count >= tagByteCount else { throw Failure(reason: "ciphertext too short") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw Failure(reason: "no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let bodyCount = sealed.count - tagByteCount
        var out = [UInt8](repeating: 0, count: bodyCount + 16)
        var length: Int32 = 0
        var ok = key.withUnsafeBufferPointer { k in
            nonce.withUnsafeBufferPointer { n in EVP_DecryptInit_ex(ctx, implementation, nil, k.baseAddress, n.baseAddress) }
        }
        if ok == 1, !associatedData.isEmpty {
            ok = associatedData.withUnsafeBufferPointer { a in EVP_DecryptUpdate(ctx, nil, &length, a.baseAddress, Int32(a.count)) }
        }
        if ok == 1, bodyCount > 0 {
            ok = sealed.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in EVP_DecryptUpdate(ctx, o.baseAddress, &length, s.baseAddress, Int32(bodyCount)) }
            }
        }
        if ok == 1 {
            var tag = Array(sealed[bodyCount...])
            ok = tag.withUnsafeMutableBufferPointer { t in EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), t.baseAddress) }
        }
        if ok == 1 {
            ok = out.withUnsafeMutableBufferPointer { o in EVP_DecryptFinal_ex(ctx, o.baseAddress.map { $0 + bodyCount }, &length) }
        }
        guard ok > 0 else { throw Failure(reason: "authentication failed") }
        return Array(out[..<bodyCount])
    }
}
