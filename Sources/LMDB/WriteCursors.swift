import CLMDB

/// One cursor per database, kept for the rest of a write transaction, for writers whose keys
/// mostly land beside their last write (sorted flushes, time-ordered ids): LMDB puts a key
/// that belongs on the leaf page a cursor stands on without descending the tree from its root,
/// as every put through a fresh cursor (`Transaction.put`) does. LMDB closes the cursors when
/// the transaction ends; so must their use.
public struct WriteCursors {
    private let transaction: Transaction
    /// A handful at most (one per database a batch writes), so found by a scan: a dictionary
    /// hashed each handle and, made afresh for every batch, grew through several resizes.
    private var cursors: [(database: MDB_dbi, cursor: Cursor)] = []

    public init(_ transaction: Transaction) {
        self.transaction = transaction
    }

    /// `database`'s cursor, opened on first use.
    public mutating func cursor(_ database: Database) throws -> Cursor {
        for index in cursors.indices where cursors[index].database == database.handle { return cursors[index].cursor }
        let cursor = try transaction.writeCursor(database)
        cursors.append((database.handle, cursor))
        return cursor
    }

    public mutating func put(_ key: [UInt8], _ value: [UInt8], in database: Database) throws {
        let cursor = try cursor(database)
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try cursor.put(k, v) }
        }
    }
}
