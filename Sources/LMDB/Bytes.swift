#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fixed-width big-endian integers as LMDB keys: byte order equals numeric order, so cursors
/// walk positions and versions in sequence.
public enum BigEndian {
    @inlinable
    public static func bytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// The eight bytes on the stack, for a key or value used once.
    @inlinable
    public static func withBytes<R>(_ value: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: value.bigEndian, body)
    }

    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public static func uint64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64? {
        guard bytes.count >= offset + 8 else { return nil }
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 8])) }
        return UInt64(bigEndian: value)
    }

    @inlinable
    public static func uint64(_ bytes: [UInt8], at offset: Int = 0) -> UInt64? {
        bytes.withUnsafeBytes { uint64($0, at: offset) }
    }
}

extension UnsafeRawBufferPointer {
    /// LMDB's default key order between these bytes and `other`: negative when they sort first,
    /// zero when equal — `memcmp` over the common length, then a proper prefix first.
    @inlinable
    public func keyOrder(_ other: UnsafeRawBufferPointer) -> Int {
        let common = Swift.min(count, other.count)
        if common > 0, let base = baseAddress, let otherBase = other.baseAddress {
            let order = memcmp(base, otherBase, common)
            if order != 0 { return Int(order) }
        }
        return count - other.count
    }

    /// True when these bytes begin with `prefix`.
    @inlinable
    public func hasPrefix(_ prefix: [UInt8]) -> Bool {
        prefix.withUnsafeBytes { hasPrefix($0) }
    }

    /// True when these bytes begin with `prefix`.
    @inlinable
    public func hasPrefix(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard count >= prefix.count else { return false }
        guard let base = baseAddress, let other = prefix.baseAddress else { return prefix.isEmpty }
        return memcmp(base, other, prefix.count) == 0
    }
}

extension Array where Element == UInt8 {
    /// Whether these bytes sort before `other` in LMDB's key order (see `keyOrder`): for sorting
    /// keys before a batch writes them. `lexicographicallyPrecedes` gives the same order
    /// element by element through a generic loop, ~2 % of the writer's instructions for its
    /// sorted index flushes.
    ///
    /// Read through the arrays' spans, borrowed statically: `withUnsafeBytes` retained and
    /// released both arrays on every comparison.
    @inlinable @inline(__always)
    public func keyPrecedes(_ other: [UInt8]) -> Bool {
        span.withUnsafeBytes { mine in other.span.withUnsafeBytes { mine.keyOrder($0) < 0 } }
    }
}

extension String {
    /// Whether this string's UTF-8 sorts before `other`'s in LMDB's key order (see `keyOrder`),
    /// for keys held as strings. `<` on `String` gives the same order (Unicode scalar order is
    /// UTF-8 byte order) through the standard library's general comparison, measurably slower
    /// on a rebuild's applying thread. Read through the strings' spans, borrowed statically
    /// (`utf8.withContiguousStorageIfAvailable` retained and released each string).
    @inlinable @inline(__always)
    public func keyPrecedes(_ other: String) -> Bool {
        utf8Span.span.withUnsafeBytes { mine in other.utf8Span.span.withUnsafeBytes { mine.keyOrder($0) < 0 } }
    }
}
