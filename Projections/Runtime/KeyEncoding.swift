import LMDB

/// Key building for read-model indexes: fixed-width big-endian numbers sort numerically,
/// inverted ones sort newest/largest first, and 0x00 separates string parts.
enum KeyEncoding {
    /// One allocation of the key's exact length, each part copied in: appended part by part,
    /// the key grew (and copied) as it went, and each string went through the generic
    /// `append(contentsOf:)` of its UTF-8 view — an order's four list keys were a twentieth of
    /// the read-model thread.
    static func key(_ parts: KeyPart...) -> [UInt8] {
        var length = 0
        for part in parts { length += part.byteCount }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let memory = UnsafeMutableRawBufferPointer(buffer)
            for part in parts { count = part.write(into: memory, at: count) }
        }
    }

    static func stringPrefix(_ text: String) -> [UInt8] {
        Array(text.utf8) + [0]
    }

    /// The trailing string after the last 0x00 / fixed parts: used to read ids back out.
    static func suffix(_ key: [UInt8], after count: Int) -> String {
        String(decoding: key.dropFirst(count), as: UTF8.self)
    }
}

enum KeyPart {
    /// A string followed by a 0x00 separator.
    case string(String)
    /// A string at the end of the key (no separator).
    case tail(String)
    case number(UInt64)
    /// `UInt64.max - n`: larger values (newer positions, more sales) first.
    case inverted(UInt64)

    var byteCount: Int {
        switch self {
        case .string(let s): s.utf8.count + 1
        case .tail(let s): s.utf8.count
        case .number, .inverted: 8
        }
    }

    /// Writes the part at `offset` of `key` (which has room: `byteCount` bytes) and returns the
    /// offset after it.
    func write(into key: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        switch self {
        case .string(let s):
            let end = Self.write(s, into: key, at: offset)
            key[end] = 0
            return end + 1
        case .tail(let s): return Self.write(s, into: key, at: offset)
        case .number(let n): return Self.write(n, into: key, at: offset)
        case .inverted(let n): return Self.write(UInt64.max - n, into: key, at: offset)
        }
    }

    private static func write(_ string: String, into key: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var string = string
        return string.withUTF8 { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: key[offset..<offset + utf8.count]).copyMemory(from: UnsafeRawBufferPointer(utf8))
            return offset + utf8.count
        }
    }

    private static func write(_ number: UInt64, into key: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        UnsafeMutableRawBufferPointer(rebasing: key[offset..<offset + 8]).storeBytes(of: number.bigEndian, as: UInt64.self)
        return offset + 8
    }
}
