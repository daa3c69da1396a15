import LMDB

/// Key building for read-model indexes: fixed-width big-endian numbers sort numerically,
/// inverted ones sort newest/largest first, and 0x00 separates string parts.
enum KeyEncoding {
    static func key(_ parts: KeyPart...) -> [UInt8] {
        var key: [UInt8] = []
        for part in parts { part.append(to: &key) }
        return key
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

    func append(to key: inout [UInt8]) {
        switch self {
        case .string(let s):
            key.append(contentsOf: s.utf8)
            key.append(0)
        case .tail(let s): key.append(contentsOf: s.utf8)
        case .number(let n): BigEndian.append(n, to: &key)
        case .inverted(let n): BigEndian.append(UInt64.max - n, to: &key)
        }
    }
}
