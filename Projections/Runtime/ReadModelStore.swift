import CryptoPrimitives
import EventStore
import Foundation
import LMDB
import Synchronization

/// The `readmodels` LMDB environment: every projection's databases, their checkpoints and
/// their generations.
///
/// A projection's databases are named `<projection>/<generation>/<db>`. An online rebuild
/// fills generation n+1 beside the live one and then switches in one exclusive transaction,
/// so queries keep answering throughout. Queries look up the current handles *inside* their
/// read transaction (`read`), which the switch cannot overlap.
public final class ReadModelStore: Sendable {
    public let environment: Environment
    let meta: Database
    private let registry = Mutex<[String: Handles]>([:])
    public let isReadOnly: Bool

    /// One projection's live databases.
    public struct Handles: Sendable {
        public let generation: UInt64
        public let databases: [String: Database]

        public func database(_ name: String) throws -> Database {
            guard let db = databases[name] else { throw ProjectionError.unknownDatabase(name) }
            return db
        }
    }

    public init(directory: String, readOnly: Bool = false, noSync: Bool = false, mapSize: Int = 1 << 30) throws {
        if !readOnly { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // Read models are derived: their checkpoint commits with them, so losing the last
        // transaction to a power cut only means re-applying it — one fsync per batch will do.
        environment = try Environment(path: directory, options: .init(mapSize: mapSize, maxDatabases: 256, readOnly: readOnly, noSync: noSync,
                                                                      noMetaSync: true))
        isReadOnly = readOnly
        if let meta = try environment.openDatabase("meta", create: !readOnly) {
            self.meta = meta
        } else {
            throw ProjectionError.unexpected("\(directory) holds no read models")
        }
    }

    /// Flushes what a store opened with `noSync` has written to disk.
    public func sync() throws {
        try environment.sync()
    }

    public func close() {
        environment.close()
    }

    static func databaseName(_ projection: String, generation: UInt64, _ db: String) -> String {
        "\(projection)/\(generation)/\(db)"
    }

    static func checkpointKey(_ projection: String, generation: UInt64) -> [UInt8] {
        Array("checkpoint:\(projection)/\(generation)".utf8)
    }

    static func generationKey(_ projection: String) -> [UInt8] {
        Array("generation:\(projection)".utf8)
    }

    static func layoutKey(_ projection: String) -> [UInt8] {
        Array("layout:\(projection)".utf8)
    }

    /// Opens (creating when writable) the current generation of `projection`'s databases.
    ///
    /// Writable, it also settles the layout: a read model written at another `layoutVersion`
    /// is emptied and its checkpoint removed, in one transaction, so the runner rebuilds it from
    /// the log; the returned version is the one it was written at. Read-only, such a read model
    /// cannot be read, and registering it throws.
    @discardableResult
    func register(_ projection: any Projection) throws -> UInt64? {
        let (generation, stored, hasCheckpoint) = try environment.read { txn in
            let generation = try txn.get(meta, Self.generationKey(projection.name)).flatMap { BigEndian.uint64($0) } ?? 0
            return (generation, try txn.get(meta, Self.layoutKey(projection.name)).flatMap { BigEndian.uint64($0) },
                    try txn.get(meta, Self.checkpointKey(projection.name, generation: generation)) != nil)
        }
        // Read models from before layouts were recorded are at the first one.
        let written = stored ?? (hasCheckpoint ? 1 : nil)
        if isReadOnly, let written, written != projection.layoutVersion {
            throw ProjectionError.unexpected("read model \(projection.name) is at layout \(written), this build reads layout \(projection.layoutVersion): "
                + "start the server on it (it rebuilds the read model) or run orderlog-replay rebuild")
        }
        let databases = try openDatabases(projection, generation: generation)
        registry.withLock { $0[projection.name] = Handles(generation: generation, databases: databases) }
        guard !isReadOnly, stored != projection.layoutVersion else { return nil }
        try environment.write { txn in
            if let written, written != projection.layoutVersion {
                for db in databases.values { try txn.drop(db) }
                try txn.delete(meta, Self.checkpointKey(projection.name, generation: generation))
            }
            try txn.put(meta, Self.layoutKey(projection.name), BigEndian.bytes(projection.layoutVersion))
        }
        return written == projection.layoutVersion ? nil : written
    }

    /// Registers a projection of an existing (possibly read-only) store.
    public func registerExisting(_ projection: any Projection) throws {
        try register(projection)
    }

    /// Empties a projection's live databases and its checkpoint (for a rebuild in place).
    public func reset(_ projection: any Projection) throws {
        try register(projection)
        let handles = try handles(projection.name)
        try environment.write { txn in
            for db in handles.databases.values { try txn.drop(db) }
            try txn.delete(meta, Self.checkpointKey(projection.name, generation: handles.generation))
        }
    }

    func openDatabases(_ projection: any Projection, generation: UInt64) throws -> [String: Database] {
        var databases: [String: Database] = [:]
        for name in projection.databases {
            let full = Self.databaseName(projection.name, generation: generation, name)
            if let db = try environment.openDatabase(full, create: !isReadOnly) {
                databases[name] = db
            } else {
                throw ProjectionError.unexpected("read model \(full) is missing (rebuild it)")
            }
        }
        return databases
    }

    func setHandles(_ projection: String, _ handles: Handles) {
        registry.withLock { $0[projection] = handles }
    }

    /// The live databases of a projection. Call inside `read` so a switch cannot intervene.
    public func handles(_ projection: String) throws -> Handles {
        guard let handles = registry.withLock({ $0[projection] }) else { throw ProjectionError.unexpected("projection \(projection) is not registered") }
        return handles
    }

    /// A read-only snapshot of every read model.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try environment.read(body)
    }

    /// The checkpoint of a projection's live generation as seen by `transaction`.
    public func checkpoint(_ projection: String, in transaction: Transaction) throws -> UInt64 {
        let generation = try handles(projection).generation
        return try transaction.get(meta, Self.checkpointKey(projection, generation: generation)).flatMap { BigEndian.uint64($0) } ?? 0
    }

    public func checkpoint(_ projection: String) throws -> UInt64 {
        try read { try checkpoint(projection, in: $0) }
    }

    /// The checkpoints of several projections from one read transaction: one consistent
    /// snapshot, and one LMDB transaction start (a reader slot and a zeroed table of every
    /// database) where a transaction each cost seven after every applied batch.
    public func checkpoints(_ projections: some Sequence<String>) throws -> [String: UInt64] {
        try read { txn in
            var found: [String: UInt64] = [:]
            for projection in projections { found[projection] = try checkpoint(projection, in: txn) }
            return found
        }
    }

    // MARK: Digest

    /// SHA-256 over a projection's databases: for each (in name order) its name, then every
    /// key and value, each length-prefixed, in key order. Equal digests mean equal read models.
    public func digest(_ projection: String) throws -> String {
        try read { txn in
            let handles = try self.handles(projection)
            let hasher = SHA256.Hasher()
            hasher.reset()
            for name in handles.databases.keys.sorted() {
                guard let db = handles.databases[name] else { continue }
                hasher.update(Array(name.utf8))
                try txn.withCursor(db) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        hasher.update(BigEndian.bytes(UInt64(current.key.count)))
                        hasher.update(current.key)
                        hasher.update(BigEndian.bytes(UInt64(current.value.count)))
                        hasher.update(current.value)
                        entry = try cursor.next()
                    }
                }
            }
            return Hex.encode(hasher.finalize())
        }
    }
}
