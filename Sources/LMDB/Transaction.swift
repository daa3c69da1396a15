import CLMDB

/// One LMDB transaction, valid only inside the `read`/`write` closure that received it.
///
/// Not `Sendable` (it holds a raw pointer): the compiler keeps it from escaping to another
/// task. Returned buffers point into the memory map and are valid until the transaction ends.
public struct Transaction {
    public let pointer: OpaquePointer
    public let isWrite: Bool

    @inlinable init(pointer: OpaquePointer, isWrite: Bool) {
        self.pointer = pointer
        self.isWrite = isWrite
    }

    /// The value stored under `key`, or nil.
    @inlinable public func get(_ database: Database, _ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(pointer, database.handle, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get \(database.name)")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    @inlinable public func get(_ database: Database, _ key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { buffer in try get(database, buffer) }
    }

    /// The value under `key` copied out of the map.
    public func getBytes(_ database: Database, _ key: [UInt8]) throws -> [UInt8]? {
        guard let value = try get(database, key) else { return nil }
        return [UInt8](value)
    }

    public struct PutFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Keys arrive in ascending order: LMDB appends without searching (the log).
        public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
        /// Fail with `MDB_KEYEXIST` instead of replacing.
        public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    }

    @inlinable public func put(_ database: Database, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: PutFlags = []) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(pointer, database.handle, &k, &v, flags.rawValue), "mdb_put \(database.name)")
    }

    @inlinable public func put(_ database: Database, _ key: [UInt8], _ value: [UInt8], flags: PutFlags = []) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try put(database, k, v, flags: flags) }
        }
    }

    /// Deletes `key`; returns false when it was not there.
    @discardableResult
    public func delete(_ database: Database, _ key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { buffer in
            var k = MDB_val(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            let rc = mdb_del(pointer, database.handle, &k, nil)
            if rc == MDB_NOTFOUND { return false }
            try check(rc, "mdb_del \(database.name)")
            return true
        }
    }

    /// Every key/value of `database` whose key starts with `prefix`, in key order, copied out.
    public func entries(withPrefix prefix: [UInt8], in database: Database) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try withCursor(database) { cursor in
            var entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atLeast: prefix)
            while let current = entry, current.key.hasPrefix(prefix) {
                result.append(([UInt8](current.key), [UInt8](current.value)))
                entry = try cursor.next()
            }
        }
        return result
    }

    /// Removes every entry of `database` (and the database itself when `delete`).
    public func drop(_ database: Database, delete: Bool = false) throws {
        try check(mdb_drop(pointer, database.handle, delete ? 1 : 0), "mdb_drop \(database.name)")
    }

    /// Number of entries in `database`.
    public func count(_ database: Database) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, database.handle, &stat), "mdb_stat \(database.name)")
        return stat.ms_entries
    }

    /// A cursor over `database` that lives as long as this write transaction: LMDB frees a write
    /// transaction's cursors when it commits or aborts. For a caller seeking many times in one
    /// transaction, which would otherwise allocate and free a cursor per seek.
    public func writeCursor(_ database: Database) throws -> Cursor {
        guard isWrite else { throw LMDBError(code: MDB_BAD_TXN, operation: "writeCursor in a read transaction") }
        var raw: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &raw), "mdb_cursor_open \(database.name)")
        guard let raw else { throw LMDBError(code: MDB_PANIC, operation: "mdb_cursor_open") }
        return Cursor(pointer: raw, database: database)
    }

    /// Runs `body` with a cursor over `database`, closed afterwards.
    @inlinable public func withCursor<R>(_ database: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        var raw: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &raw), "mdb_cursor_open \(database.name)")
        guard let raw else { throw LMDBError(code: MDB_PANIC, operation: "mdb_cursor_open") }
        defer { mdb_cursor_close(raw) }
        var cursor = Cursor(pointer: raw, database: database)
        return try body(&cursor)
    }
}
