import CLibCrypto

/// SHA-256 through OpenSSL's libcrypto.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { out, count in
            _ = CLibCrypto.SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress)
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
        private let context: OpaquePointer
        private let algorithm: OpaquePointer?

        public init() {
            // Fetch the implementation once instead of on every digest (OpenSSL 3 looks it up).
            algorithm = EVP_MD_fetch(nil, "SHA256", nil)
            // Allocation failure here means the process is out of memory; libcrypto returns nil.
            context = EVP_MD_CTX_new()
        }

        deinit {
            EVP_MD_CTX_free(context)
            if let algorithm { EVP_MD_free(algorithm) }
        }

        public func reset() {
            _ = EVP_DigestInit_ex2(context, algorithm ?? EVP_sha256(), nil)
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
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
            var length: UInt32 = 0
            out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        }
    }
}
