import CLMDB

/// A position in one database, valid inside `Transaction.withCursor` only.
public struct Cursor {
    @usableFromInline let pointer: OpaquePointer
    @usableFromInline let database: Database

    @inlinable init(pointer: OpaquePointer, database: Database) {
        self.pointer = pointer
        self.database = database
    }

    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    @inlinable func get(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(pointer, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get \(database.name)")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    @inlinable public func first() throws -> Entry? { try get(MDB_FIRST) }
    @inlinable public func last() throws -> Entry? { try get(MDB_LAST) }
    @inlinable public func next() throws -> Entry? { try get(MDB_NEXT) }
    @inlinable public func previous() throws -> Entry? { try get(MDB_PREV) }
    @inlinable public func current() throws -> Entry? { try get(MDB_GET_CURRENT) }

    /// Positions at the first key ≥ `key`.
    @inlinable public func seek(atLeast key: [UInt8]) throws -> Entry? {
        try key.withUnsafeBytes { buffer in try seek(atLeast: buffer) }
    }

    /// Positions at the first key ≥ `key` (a key the caller holds in its own memory).
    @inlinable public func seek(atLeast key: UnsafeRawBufferPointer) throws -> Entry? {
        try get(MDB_SET_RANGE, key: key)
    }

    /// Positions at exactly `key`.
    public func seek(exactly key: [UInt8]) throws -> Entry? {
        try key.withUnsafeBytes { buffer in try get(MDB_SET_KEY, key: buffer) }
    }

    /// Positions at the last key < `key` (for descending scans and "latest version" lookups).
    public func seek(before key: [UInt8]) throws -> Entry? {
        if try seek(atLeast: key) != nil {
            return try previous()
        }
        return try last()
    }

    /// Puts `key`/`value` through this cursor, leaving it at the entry written. Where the key
    /// belongs on the leaf page the cursor is already on, LMDB searches only that page instead
    /// of descending the tree from its root (as `Transaction.put` does, with a fresh cursor).
    @inlinable public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Transaction.PutFlags = []) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(pointer, &k, &v, flags.rawValue), "mdb_cursor_put \(database.name)")
    }

    /// Deletes the entry at the cursor.
    public func deleteCurrent() throws {
        try check(mdb_cursor_del(pointer, 0), "mdb_cursor_del \(database.name)")
    }
}
