import LMDB

/// Key building for read-model indexes: fixed-width big-endian numbers sort numerically,
/// inverted ones sort newest/largest first, and 0x00 separates string parts.
enum KeyEncoding {
    /// One allocation of the key's exact length, the parts appended into it: a key grown part
    /// by part was copied as it grew, and each string went through the generic
    /// `append(contentsOf:)` of its UTF-8 view — an order's four list keys were a twentieth of
    /// the read-model thread. The length is reserved rather than the array made with
    /// `unsafeUninitializedCapacity`: that initializer allocates through a standard-library
    /// entry point compiled for any element type, which asks the runtime for the array
    /// storage's type metadata on every call (~350 instructions, a third of a key's cost).
    ///
    /// One to four parts — the keys projections build — the later ones optional: a variadic
    /// list of parts was an array allocated per key, each part's string retained into it, and
    /// the orders projection builds four keys for every order (their cost 4.3k → 3.0k
    /// instructions an order, callgrind).
    static func key(_ a: KeyPart, _ b: KeyPart? = nil, _ c: KeyPart? = nil, _ d: KeyPart? = nil) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(a.byteCount + (b?.byteCount ?? 0) + (c?.byteCount ?? 0) + (d?.byteCount ?? 0))
        a.append(to: &key)
        b?.append(to: &key)
        c?.append(to: &key)
        d?.append(to: &key)
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

    var byteCount: Int {
        switch self {
        case .string(let s): s.utf8.count + 1
        case .tail(let s): s.utf8.count
        case .number, .inverted: 8
        }
    }

    /// Appends the part's bytes to `key`.
    func append(to key: inout [UInt8]) {
        switch self {
        case .string(let s):
            Self.append(s, to: &key)
            key.append(0)
        case .tail(let s): Self.append(s, to: &key)
        case .number(let n): Self.append(n, to: &key)
        case .inverted(let n): Self.append(UInt64.max - n, to: &key)
        }
    }

    private static func append(_ string: String, to key: inout [UInt8]) {
        // Straight from the UTF-8 view rather than through `withUTF8Bytes`, whose extra closure
        // cost ~70 instructions a key (callgrind, a rebuild's applying thread).
        if string.utf8.withContiguousStorageIfAvailable({ key.append(contentsOf: $0) }) == nil {
            key.append(contentsOf: Array(string.utf8))
        }
    }

    private static func append(_ number: UInt64, to key: inout [UInt8]) {
        withUnsafeBytes(of: number.bigEndian) { key.append(contentsOf: $0) }
    }
}
