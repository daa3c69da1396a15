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

    /// Calls `body` with the string's UTF-8 bytes, in place when the string has them
    /// contiguously (native strings always do; a key put into LMDB or a field scanned need not
    /// be copied into an array first). Always inlined: called, its specialization retained the
    /// string for the closure's sake (a retain and a release per call, ~23 strings an order on
    /// the writer); inlined, the closure is called directly and nothing is retained.
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        return try Array(utf8).withUnsafeBytes(body)
    }
}
