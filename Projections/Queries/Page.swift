import LMDB

/// One page of a list, with the total and the position the read model had applied.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let page: Int
    public let pageSize: Int
    public let total: Int
    public let position: UInt64
}

/// A query's answer with the read position it was read at (`X-Read-Position`).
public struct Positioned<Value: Sendable>: Sendable {
    public let value: Value
    public let position: UInt64
}

extension Transaction {
    /// Entries of `database` under `prefix` in key order, from `start` on (the first under
    /// `prefix` when nil), those whose value `include` accepts: skips `offset` of them, returns
    /// up to `limit`.
    func page(_ database: Database, prefix: [UInt8], from start: [UInt8]? = nil, offset: Int = 0, limit: Int,
              where include: (UnsafeRawBufferPointer) -> Bool = { _ in true }) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        var skipped = 0
        try withCursor(database) { cursor in
            let first = start ?? prefix
            var entry = first.isEmpty ? try cursor.first() : try cursor.seek(atLeast: first)
            while let current = entry, current.key.hasPrefix(prefix), result.count < limit {
                if include(current.value) {
                    if skipped < offset { skipped += 1 } else { result.append(([UInt8](current.key), [UInt8](current.value))) }
                }
                entry = try cursor.next()
            }
        }
        return result
    }

    /// A decimal counter written by `ProjectionContext.addToCounter` (0 when absent).
    func counter(_ database: Database, _ key: String) throws -> Int {
        try get(database, Array(key.utf8)).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
    }
}
