import CLMDB

/// An error returned by the LMDB C library, with the operation that produced it.
///
/// Kept as a struct with the raw code so callers can react to the few codes that matter
/// (`MDB_MAP_FULL` → grow the map, `MDB_MAP_RESIZED` → adopt another process's size) without
/// string matching.
public struct LMDBError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExists: Bool { code == MDB_KEYEXIST }
    /// Disk full or a failed write/fsync: the commit did not happen.
    public var isStorageFailure: Bool {
        code == 28 /* ENOSPC */ || code == 5 /* EIO */ || code == 122 /* EDQUOT */ || code == 27 /* EFBIG */
    }

    public var message: String { String(cString: mdb_strerror(code)) }
    public var description: String { "\(operation): \(message) (\(code))" }
}

@inlinable @inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if rc != MDB_SUCCESS { throw LMDBError(code: rc, operation: operation()) }
}
