import CLibCrypto

/// SHA-256 through OpenSSL's libcrypto.
public enum SHA256 {
    public static let byteCount = 32

    /// Through the low-level context, on the stack: OpenSSL 3.0's one-shot `SHA256()` fetches
    /// the digest by name on every call (`EVP_Q_digest`, behind the provider store's locks) —
    /// a third of fingerprinting a request, and most of hashing a short record when verifying.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var context = SHA256_CTX()
        _ = SHA256_Init(&context)
        if let base = bytes.baseAddress, !bytes.isEmpty { _ = SHA256_Update(&context, base, bytes.count) }
        return [UInt8](unsafeUninitializedCapacity: byteCount) { out, count in
            _ = SHA256_Final(out.baseAddress, &context)
            count = byteCount
        }
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    public static func hash(_ string: String) -> [UInt8] {
        hash(Array(string.utf8))
    }
}

extension SHA256 {
    /// An incremental SHA-256 with a reusable context: for the writer, which hashes every
    /// record from pieces without first copying them together. Not thread-safe; one per thread.
    public final class Hasher {
        /// The low-level context, kept for the hasher's life: `SHA256_Init` only resets it. (EVP's
        /// init freed and reallocated its provider context per digest in OpenSSL 3.0.)
        private let context: UnsafeMutablePointer<SHA256_CTX>

        public init() {
            context = .allocate(capacity: 1)
            _ = SHA256_Init(context)
        }

        deinit {
            context.deallocate()
        }

        public func reset() {
            _ = SHA256_Init(context)
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            _ = SHA256_Update(context, base, bytes.count)
        }

        public func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        public func finalize() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: SHA256.byteCount)
            finalize(into: &out)
            return out
        }

        /// Writes the digest over `out`'s 32 bytes (no allocation when `out` is uniquely held).
        public func finalize(into out: inout [UInt8]) {
            precondition(out.count == SHA256.byteCount, "a SHA-256 digest is 32 bytes")
            out.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, context) }
        }
    }
}
