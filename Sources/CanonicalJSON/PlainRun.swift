/// Finds where a string's plain run ends: the first quote, backslash or control byte — the
/// bytes JSON cannot hold in a string as they are — eight bytes at a time (SWAR).
///
/// Both directions lean on it: parsing (stored records are mostly long plain strings: hashes,
/// ids, sealed base64) and canonical writing (every event's strings, on the writer thread).
enum PlainRun {
    /// The index of the first special byte at or after `start`, or `bytes.count`; and whether
    /// every byte before it was ASCII.
    @inline(__always)
    static func end(in bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, ascii: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let count = bytes.count
        var i = start
        var seen: UInt64 = 0
        while i &+ 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // (x - 0x01…) & ~x has a high bit set exactly when some byte of x is zero (Hacker's
            // Delight 6-1); with 0x20… instead of 0x01… it flags a byte below 0x20.
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
            if special & highs != 0 { break }
            seen |= word
            i &+= 8
        }
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            seen |= UInt64(byte)
            i &+= 1
        }
        return (i, seen & highs == 0)
    }
}
