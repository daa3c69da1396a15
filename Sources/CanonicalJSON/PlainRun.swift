import CJSONScan

/// Finds where a string's plain run ends: the first quote, backslash or control byte — the
/// bytes JSON cannot hold in a string as they are — sixteen bytes at a time (SSE2), then eight
/// (SWAR), in `CJSONScan`'s inline C.
///
/// Both directions lean on it: parsing (stored records are mostly long plain strings: hashes,
/// ids, sealed base64) and canonical writing (every event's strings, on the writer thread).
/// Until 2026-11-28 it was this Swift loop eight bytes at a time; under callgrind the SSE2 scan
/// took a rebuild's reading thread from 29.6k to 26.2k instructions an event, the append
/// writer unchanged (short strings take the same eight-byte steps as before).
enum PlainRun {
    /// The index of the first special byte at or after `start`, or `bytes.count`; and whether
    /// every byte before it was ASCII.
    @inline(__always)
    static func end(in bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, ascii: Bool) {
        guard let base = bytes.baseAddress, start >= 0, start < bytes.count else { return (max(start, 0), true) }
        var ascii = true
        let end = orderlog_plain_run_end(base.assumingMemoryBound(to: UInt8.self), start, bytes.count, &ascii)
        return (end, ascii)
    }
}
