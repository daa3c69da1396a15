import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open LMDB environment: one memory-mapped file, many named databases.
///
/// `MDB_NOTLS` is always set because Swift tasks hop threads: a read transaction belongs to the
/// call that opened it, never to a thread. A write transaction still lives and dies inside one
/// synchronous `write` call. `MDB_WRITEMAP` is never set, so a full disk fails a commit with
/// an error instead of a SIGBUS.
///
/// The map is sized generously and grows on demand: `write` retries a transaction that ran into
/// `MDB_MAP_FULL` after doubling the map, and readers adopt a size grown by another process.
public final class Environment: @unchecked Sendable {
    // Safe to share: the MDB_env handle is thread-safe for opening transactions; the map size
    // only changes under `resizeLock` held exclusively, while every transaction holds it shared.
    @usableFromInline let handle: OpaquePointer
    @usableFromInline let resizeLock = ResizeLock()
    public let path: String
    public let options: Options

    public struct Options: Sendable {
        public var mapSize: Int
        public var maxDatabases: Int
        public var maxReaders: Int
        public var readOnly: Bool
        /// Skip fsync on commit. Only for scratch environments (rebuilds into a temporary
        /// directory); never for the log.
        public var noSync: Bool
        /// Skip the second fsync of a commit, the one after the meta page (`MDB_NOMETASYNC`):
        /// a system crash may undo the last transaction but never breaks the database. For
        /// derived data whose checkpoint commits with it (read models); never for the log,
        /// where the last transaction holds acknowledged commands.
        public var noMetaSync: Bool
        /// Bytes of the data file kept zero-filled past the last page (`FileHeadroom`), so
        /// commits do not grow the file; 0 turns it off. Writable environments only.
        public var headroomBytes: Int

        public init(mapSize: Int = 1 << 30, maxDatabases: Int = 64, maxReaders: Int = 1024, readOnly: Bool = false, noSync: Bool = false,
                    noMetaSync: Bool = false, headroomBytes: Int = 0) {
            self.mapSize = mapSize
            self.maxDatabases = maxDatabases
            self.maxReaders = maxReaders
            self.readOnly = readOnly
            self.noSync = noSync
            self.noMetaSync = noMetaSync
            self.headroomBytes = headroomBytes
        }
    }

    /// Opens (and, unless read-only, creates) the environment in directory `path`.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        if !options.readOnly {
            mkdir(path, 0o750)
        }
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: MDB_PANIC, operation: "mdb_env_create") }
        do {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, UInt32(options.maxReaders)), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            if options.noMetaSync { flags |= UInt32(MDB_NOMETASYNC) }
            try check(mdb_env_open(env, path, flags, 0o640), "mdb_env_open \(path)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        self.options = options
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        pageSize = Int(stat.ms_psize)
        headroom = options.readOnly ? nil : FileHeadroom(dataFile: path + "/data.mdb", bytes: options.headroomBytes,
                                                        usedBytes: Self.usedBytes(env, pageSize: pageSize))
        headroom?.start()
    }

    /// Keeps the data file zeroed ahead of the last page, when `Options.headroomBytes` asks.
    let headroom: FileHeadroom?
    /// Fixed when the file is made; read once instead of with every `usedBytes` (the writer
    /// asks for that after each commit).
    private let pageSize: Int

    // Guarded by `resizeLock`: set under the exclusive hold, read under the shared one.
    @usableFromInline var closed = false

    deinit {
        headroom?.stop()
        if !closed { mdb_env_close(handle) }
    }

    /// Closes the environment now: waits for open transactions to end; later calls throw.
    /// (Otherwise it closes when the last reference goes.)
    public func close() {
        headroom?.stop()
        resizeLock.withExclusive {
            if !closed {
                closed = true
                mdb_env_close(handle)
            }
        }
    }

    @usableFromInline func ensureOpen() throws(LMDBError) {
        if closed { throw LMDBError(code: 9 /* EBADF */, operation: "environment \(path) is closed") }
    }

    /// The current size of the memory map in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// The longest key LMDB accepts in this environment (511 bytes as Debian builds it); a
    /// longer one fails the whole write transaction, so writers check before they put.
    public var maxKeySize: Int { Int(mdb_env_get_maxkeysize(handle)) }

    /// Bytes of the map in use (up to the last page written).
    public var usedBytes: Int { Self.usedBytes(handle, pageSize: pageSize) }

    private static func usedBytes(_ handle: OpaquePointer, pageSize: Int) -> Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return (info.me_last_pgno + 1) * pageSize
    }

    /// The data file's end as the headroom's filler last left it; nil when it is off.
    public var headroomZeroedThrough: Int? { headroom?.zeroedThrough }

    /// Entered before a write transaction begins: the headroom's filler waits until it ends.
    @usableFromInline func enterWrite() {
        headroom?.enterWrite()
    }

    /// Left once the write transaction has committed (or was aborted).
    @usableFromInline func leaveWrite(committed: Bool) {
        headroom?.leaveWrite(usedBytes: committed ? usedBytes : nil)
    }

    /// Doubles the map (or grows it to at least `minimum` bytes). Call with no transaction of
    /// this process open on the calling thread; waits for other threads' transactions to end.
    public func growMap(toAtLeast minimum: Int = 0) throws(LMDBError) {
        try resizeLock.withExclusive { () throws(LMDBError) in
            try ensureOpen()
            let current = mapSize
            var target = current * 2
            while target < minimum { target *= 2 }
            try check(mdb_env_set_mapsize(handle, target), "mdb_env_set_mapsize")
        }
    }

    /// Adopts a map size grown by another process (after `MDB_MAP_RESIZED`).
    @usableFromInline func adoptGrownMap() throws(LMDBError) {
        try resizeLock.withExclusive { () throws(LMDBError) in
            try ensureOpen()
            try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize(0)")
        }
    }

    /// Flushes buffers to disk (for environments opened with `noSync`).
    public func sync() throws(LMDBError) {
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment into directory `path`, leaving out free pages
    /// when `compact`. Safe while another thread or process writes: it reads one snapshot.
    public func copy(to path: String, compact: Bool = true) throws(LMDBError) {
        try check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2 \(path)")
    }

    /// Opens the named database, creating it when `create` and the environment is writable.
    /// Returns nil when it does not exist and may not be created.
    public func openDatabase(_ name: String, create: Bool = true, integerKeys: Bool = false) throws(LMDBError) -> Database? {
        let writable = create && !options.readOnly
        var txn: OpaquePointer?
        var entered = false
        var committed = false
        defer { if entered { leaveWrite(committed: committed) } }
        try resizeLock.withShared { () throws(LMDBError) in
            try ensureOpen()
            // Entered inside the shared hold, as `writeOnce` does: one lock order everywhere.
            if writable {
                enterWrite()
                entered = true
            }
            try check(mdb_txn_begin(handle, nil, writable ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        }
        guard let txn else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin") }
        var dbi = MDB_dbi()
        var flags: UInt32 = writable ? UInt32(MDB_CREATE) : 0
        if integerKeys { flags |= UInt32(MDB_INTEGERKEY) }
        let rc = mdb_dbi_open(txn, name, flags, &dbi)
        if rc == MDB_NOTFOUND {
            mdb_txn_abort(txn)
            return nil
        }
        if rc != MDB_SUCCESS {
            mdb_txn_abort(txn)
            throw LMDBError(code: rc, operation: "mdb_dbi_open \(name)")
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit (open \(name))")
        committed = true
        return Database(handle: dbi, name: name)
    }

    /// Runs `body` inside a read-only snapshot. Readers never block the writer or each other.
    @inlinable public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        while true {
            resizeLock.lockShared()
            if closed {
                resizeLock.unlock()
                throw LMDBError(code: 9, operation: "environment \(path) is closed")
            }
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map: adopt its size (needs no transaction open), retry.
                resizeLock.unlock()
                try adoptGrownMap()
                continue
            }
            defer {
                if let txn { mdb_txn_abort(txn) }
                resizeLock.unlock()
            }
            try check(rc, "mdb_txn_begin(read)")
            guard let txn else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin") }
            return try body(Transaction(pointer: txn, isWrite: false))
        }
    }

    /// Runs `body` in the single write transaction and commits it (fsync'd unless `noSync`).
    ///
    /// When the map is full, the transaction is aborted, `onRetry` is called so the caller can
    /// drop whatever it derived from the aborted work, the map is doubled and `body` runs again.
    /// `body` must therefore be safe to run again after `onRetry`. Must be called from one
    /// thread at a time; no `await` can happen inside (LMDB ties the transaction to its thread).
    public func write<R>(onRetry: () -> Void = {}, _ body: (Transaction) throws -> R) throws -> R {
        while true {
            do {
                return try writeOnce(body)
            } catch let error as LMDBError where error.isMapFull {
                onRetry()
                try growMap()
            }
        }
    }

    /// Runs `body` in one write transaction and commits it, without the map-full retry: for
    /// callers that must undo their own side effects before growing (the EventStore writer).
    @inlinable public func writeOnce<R>(_ body: (Transaction) throws -> R) throws -> R {
        try resizeLock.withShared { try writeTransaction(body) }
    }

    /// Begins a write transaction, runs `body` in it and commits it (aborts it if `body`
    /// throws). The caller holds `resizeLock`.
    @inlinable func writeTransaction<R>(_ body: (Transaction) throws -> R) throws -> R {
        try ensureOpen()
        enterWrite()
        var committed = false
        defer { leaveWrite(committed: committed) }
        var txn: OpaquePointer?
        try check(mdb_txn_begin(handle, nil, 0, &txn), "mdb_txn_begin(write)")
        guard let txn else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin") }
        let result: R
        do {
            result = try body(Transaction(pointer: txn, isWrite: true))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
        committed = true
        return result
    }

    /// A write transaction during which no other transaction of this process is open: for
    /// dropping databases that readers might otherwise still be using.
    /// `afterCommit` runs while the exclusive hold lasts (to publish new handles before any
    /// reader can look).
    public func writeExclusive<R>(_ body: (Transaction) throws -> R, afterCommit: () -> Void = {}) throws -> R {
        try resizeLock.withExclusive {
            let result = try writeTransaction(body)
            afterCommit()
            return result
        }
    }

    /// Opens (creating) a named database inside an open write transaction; the handle is
    /// usable by others once that transaction commits.
    public func openDatabase(_ name: String, in transaction: Transaction) throws(LMDBError) -> Database {
        var dbi = MDB_dbi()
        try check(mdb_dbi_open(transaction.pointer, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open \(name)")
        return Database(handle: dbi, name: name)
    }

    /// Names of every named database in the environment.
    public func databaseNames() throws -> [String] {
        try read { txn in
            var names: [String] = []
            var main = MDB_dbi()
            try check(mdb_dbi_open(txn.pointer, nil, 0, &main), "mdb_dbi_open(main)")
            try txn.withCursor(Database(handle: main, name: "main")) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    names.append(String(decoding: current.key, as: UTF8.self))
                    entry = try cursor.next()
                }
            }
            return names
        }
    }

    /// Statistics of one database (entry count, depth, pages).
    public func statistics(of database: Database) throws -> MDB_stat {
        try read { txn in
            var stat = MDB_stat()
            try check(mdb_stat(txn.pointer, database.handle, &stat), "mdb_stat \(database.name)")
            return stat
        }
    }
}
