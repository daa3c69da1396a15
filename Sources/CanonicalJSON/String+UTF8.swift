#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string's UTF-8 both ways: made from bytes known valid, and read in place.
extension String {
    /// `bytes` as a string when they are valid UTF-8, else nil — what `String(validating:as:)`
    /// answers, at a fraction of its cost. That initializer is generic and reaches callers
    /// unspecialized (~1,000 instructions a call, a runtime metadata lookup among them), and
    /// the parser needs it for every string that is not ASCII: each Chinese name, address and
    /// title of every request and every event read back. `String(decoding:as:)` validates on
    /// its specialized path and replaces each invalid sequence with U+FFFD, so the decoded
    /// string is byte for byte its input exactly when the input was valid.
    public init?(validatedUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        let unchanged = decoded.utf8.withContiguousStorageIfAvailable { out -> Bool in
            guard out.count == bytes.count else { return false }
            guard let a = out.baseAddress, let b = bytes.baseAddress else { return true }  // both empty
            return memcmp(a, b, bytes.count) == 0
        }
        switch unchanged {
        case true?: self = decoded
        case false?: return nil
        case nil:  // not contiguous (never for a freshly decoded string): the generic answer
            guard let validated = String(validating: bytes, as: UTF8.self) else { return nil }
            self = validated
        }
    }

    /// Calls `body` with the string's UTF-8 bytes in place (a key put into LMDB, a field
    /// scanned, a string escaped into JSON need not be copied into an array first). Through the
    /// string's span, which borrows it statically: `utf8.withContiguousStorageIfAvailable`, and
    /// `withUTF8` on a mutable copy, kept the string alive with a retain and a release per call
    /// (~23 strings an order on the writer, callgrind, 2026-11-28).
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try utf8Span.span.withUnsafeBytes(body)
    }
}
