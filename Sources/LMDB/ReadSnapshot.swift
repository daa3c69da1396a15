import CLMDB

/// A read transaction that one owner keeps for many short uses: each `begin` renews it to the
/// latest commit, each `end` resets it, so between uses it pins no old pages and holds no lock
/// that a map resize would wait for. Its cursors stay open across uses (renewed with it), which
/// spares a reader that seeks all day a `malloc` per seek.
///
/// One owner at a time (the EventStore's writer thread), never shared.
public final class ReadSnapshot {
    private let environment: Environment
    private var transaction: OpaquePointer?
    private var active = false
    private var cursors: [(database: MDB_dbi, cursor: OpaquePointer)] = []

    public init(environment: Environment) {
        self.environment = environment
    }

    deinit { close() }

    /// Starts a use: the returned transaction sees every commit made before this call. Holds
    /// the map's resize lock shared until `end()`.
    public func begin() throws(LMDBError) -> Transaction {
        guard !active else { throw LMDBError(code: MDB_BAD_TXN, operation: "ReadSnapshot.begin while in use") }
        while true {
            environment.resizeLock.lockShared()
            if environment.closed {
                environment.resizeLock.unlock()
                throw LMDBError(code: 9, operation: "environment \(environment.path) is closed")
            }
            let rc: Int32
            if let transaction {
                rc = mdb_txn_renew(transaction)
            } else {
                var fresh: OpaquePointer?
                rc = mdb_txn_begin(environment.handle, nil, UInt32(MDB_RDONLY), &fresh)
                transaction = fresh
            }
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map: adopt its size (no transaction open), retry.
                environment.resizeLock.unlock()
                try environment.adoptGrownMap()
                continue
            }
            guard rc == MDB_SUCCESS, let transaction else {
                environment.resizeLock.unlock()
                throw LMDBError(code: rc == MDB_SUCCESS ? MDB_PANIC : rc, operation: "mdb_txn_renew")
            }
            for entry in cursors {
                let renewed = mdb_cursor_renew(transaction, entry.cursor)
                guard renewed == MDB_SUCCESS else {
                    mdb_txn_reset(transaction)
                    environment.resizeLock.unlock()
                    throw LMDBError(code: renewed, operation: "mdb_cursor_renew")
                }
            }
            active = true
            return Transaction(pointer: transaction, isWrite: false)
        }
    }

    /// Ends a use; the transaction and cursors from `begin` must not be used after it.
    public func end() {
        guard active, let transaction else { return }
        mdb_txn_reset(transaction)
        active = false
        environment.resizeLock.unlock()
    }

    /// The id of the commit the current use sees: commits with a larger id are not visible.
    public var transactionId: Int {
        guard active, let transaction else { return 0 }
        return Int(mdb_txn_id(transaction))
    }

    /// A cursor over `database` in the current use (opened once, then renewed with each use).
    public func cursor(_ database: Database) throws(LMDBError) -> Cursor {
        guard active, let transaction else { throw LMDBError(code: MDB_BAD_TXN, operation: "ReadSnapshot.cursor outside a use") }
        if let open = cursors.first(where: { $0.database == database.handle }) {
            return Cursor(pointer: open.cursor, database: database)
        }
        var raw: OpaquePointer?
        try check(mdb_cursor_open(transaction, database.handle, &raw), "mdb_cursor_open \(database.name)")
        guard let raw else { throw LMDBError(code: MDB_PANIC, operation: "mdb_cursor_open") }
        cursors.append((database.handle, raw))
        return Cursor(pointer: raw, database: database)
    }

    /// Lets go of the transaction and its cursors; call before the environment closes.
    public func close() {
        end()
        for entry in cursors { mdb_cursor_close(entry.cursor) }
        cursors.removeAll()
        if let transaction { mdb_txn_abort(transaction) }
        transaction = nil
    }
}
