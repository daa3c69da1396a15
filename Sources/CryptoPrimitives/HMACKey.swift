import CLibCrypto

extension HMACSHA256 {
    /// An HMAC-SHA256 key prepared once, for the server's fixed secrets (bearer tokens, payment
    /// signatures, username lookups). OpenSSL 3's one-shot `HMAC()` fetches both algorithms by
    /// name on every call, behind locks the request threads share: it was most of the cost of
    /// rejecting a forged token. This keeps a context initialized with the key and duplicates it
    /// per message; `EVP_MAC_CTX_dup` takes the template as `const`, which OpenSSL allows from
    /// any number of threads at once. Anything that fails falls back to the one-shot form.
    public final class Key: @unchecked Sendable {
        // @unchecked: `template` is written once in `init` and then only read (duplicated).
        private let key: [UInt8]
        private let template: OpaquePointer?

        public init(_ key: [UInt8]) {
            self.key = key
            self.template = Self.prepare(key)
        }

        deinit {
            if let template { EVP_MAC_CTX_free(template) }
        }

        private static func prepare(_ key: [UInt8]) -> OpaquePointer? {
            guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { return nil }
            defer { EVP_MAC_free(mac) }
            guard let context = EVP_MAC_CTX_new(mac) else { return nil }
            let initialized = "SHA256".withCString { digest in
                var parameters = [OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: digest), 0), OSSL_PARAM_construct_end()]
                return key.withUnsafeBufferPointer { k in EVP_MAC_init(context, k.baseAddress, k.count, &parameters) }
            }
            guard initialized == 1 else {
                EVP_MAC_CTX_free(context)
                return nil
            }
            return context
        }

        public func authenticate(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            guard let template, let context = EVP_MAC_CTX_dup(template) else { return HMACSHA256.authenticate(Array(message), key: key) }
            defer { EVP_MAC_CTX_free(context) }
            var out = [UInt8](repeating: 0, count: 32)
            var length = 0
            let updated = message.isEmpty || EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
            let finished = updated && out.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, 32) } == 1
            guard finished, length == 32 else { return HMACSHA256.authenticate(Array(message), key: key) }
            return out
        }

        public func authenticate(_ message: [UInt8]) -> [UInt8] {
            message.withUnsafeBytes { authenticate($0) }
        }

        public func authenticate(_ message: String) -> [UInt8] {
            var message = message
            return message.withUTF8 { authenticate(UnsafeRawBufferPointer($0)) }
        }
    }
}
