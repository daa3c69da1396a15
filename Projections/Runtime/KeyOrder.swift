import CanonicalJSON
import Foundation
import LMDB

/// LMDB's key order — bytes, compared as unsigned — for keys held as `String`s: a batch's
/// changed documents are written in this order, so that each put lands next to the last one
/// instead of on a random leaf of a large B-tree.
///
/// Keys are added as the caller collects its entries; `order` returns their indices sorted.
/// Each key's first 16 bytes are read once into two integers, so most comparisons are integer
/// comparisons of a small record rather than walks through two strings' storage, and the
/// caller's entries are neither copied nor moved (sorting them with `<` on the strings was
/// ~5 % of a rebuild's applying thread).
struct KeyOrder {
    private var keys: [(group: Int, high: UInt64, low: UInt64)] = []
    private var groupNames: [String] = []

    init(capacity: Int) {
        keys.reserveCapacity(capacity)
    }

    /// Adds the next key (its index is the number added before it), in the group `group`
    /// (a database's name: groups sort by name, before keys).
    mutating func append(_ key: String, group: String = "") {
        var index = 0
        while index < groupNames.count && groupNames[index] != group { index += 1 }
        if index == groupNames.count { groupNames.append(group) }
        let (high, low) = Self.prefix(key)
        keys.append((index, high, low))
    }

    /// The indices of the added keys in LMDB's order. `precedes(i, j)`: whether key `i` sorts
    /// before key `j`, asked only of keys in one group whose first 16 bytes are equal.
    func order(tieBreak precedes: (Int, Int) -> Bool) -> [Int] {
        var rank = [Int](repeating: 0, count: groupNames.count)
        for (position, group) in groupNames.indices.sorted(by: { groupNames[$0].keyPrecedes(groupNames[$1]) }).enumerated() {
            rank[group] = position
        }
        var indices = Array(keys.indices)
        indices.sort { i, j in
            let a = keys[i], b = keys[j]
            if a.group != b.group { return rank[a.group] < rank[b.group] }
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            // Equal first 16 bytes (or a shorter key padded with zeros): the whole keys decide.
            return precedes(i, j)
        }
        return indices
    }

    /// The first 16 bytes of `key`'s UTF-8, big-endian, zero-padded.
    static func prefix(_ key: String) -> (high: UInt64, low: UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        key.withUTF8Bytes { bytes in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(16))) }
        }
        return (UInt64(bigEndian: words.0), UInt64(bigEndian: words.1))
    }
}
