import LMDB

/// The named databases of the log environment and how their keys are built.
///
/// - `log`: big-endian UInt64 position → record bytes (canonical JSON). Append-only.
/// - `streams`: streamId ‖ 0x00 ‖ big-endian version → big-endian position. Stream ids are
///   printable ASCII, so 0x00 sorts a stream's entries together and before any longer id.
/// - `idempotency`: caller-scoped key → `IdempotencyEntry`; `idempotency-by-time` orders them
///   for expiry.
/// - `snapshots`: streamId → big-endian version ‖ opaque state bytes (not hash-chained; a cache
///   the log can always regenerate).
/// - `meta`: format marker; `indexed-through`, the last position whose `streams` entry is written
///   (later ones wait in `PendingStreamIndex`).
/// - side tables named by the application (e.g. the personal-data key store), written in the
///   same transaction as the events they go with.
struct StoreLayout {
    static let formatVersion = "orderlog-log-1"

    let log: Database
    let streams: Database
    let idempotency: Database
    let idempotencyByTime: Database
    let snapshots: Database
    let meta: Database
    let sideTables: [String: Database]
    /// The longest key a put may carry (LMDB's limit).
    let maxKeyBytes: Int
    /// The lengths an idempotency key may have: it must fit LMDB's limit in both of its tables,
    /// and the expiry index prefixes it with 8 bytes of time.
    var idempotencyKeyBytes: ClosedRange<Int> { 1...(maxKeyBytes - 8) }

    init(environment: Environment, sideTableNames: [String]) throws {
        func open(_ name: String) throws -> Database {
            guard let db = try environment.openDatabase(name) else {
                throw EventStoreError.invalidArgument("\(environment.path) is not an OrderLog log (no \(name) database)")
            }
            return db
        }
        log = try open("log")
        streams = try open("streams")
        idempotency = try open("idempotency")
        idempotencyByTime = try open("idempotency-by-time")
        snapshots = try open("snapshots")
        meta = try open("meta")
        var tables: [String: Database] = [:]
        for name in sideTableNames {
            // A read-only opener of a log written without this table (a bare benchmark log)
            // sees it as empty rather than failing.
            if environment.options.readOnly {
                tables[name] = try environment.openDatabase("side:" + name, create: false)
            } else {
                tables[name] = try open("side:" + name)
            }
        }
        sideTables = tables
        maxKeyBytes = environment.maxKeySize
    }

    /// Runs `body` with the stream-index key `streamId ‖ 0x00 ‖ big-endian version`, built on
    /// the stack (the writer builds one per appended event).
    static func withStreamKey<R>(_ streamId: String, version: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var id = streamId
        return try id.withUTF8 { utf8 in
            try withUnsafeTemporaryAllocation(byteCount: utf8.count + 9, alignment: 1) { key in
                key.copyMemory(from: UnsafeRawBufferPointer(utf8))
                key[utf8.count] = 0
                key.storeBytes(of: version.bigEndian, toByteOffset: utf8.count + 1, as: UInt64.self)
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }

    /// Runs `body` with the smallest key after every entry of `streamId` (`streamId ‖ 0x01`),
    /// built on the stack.
    static func withStreamEndKey<R>(_ streamId: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var id = streamId
        return try id.withUTF8 { utf8 in
            try withUnsafeTemporaryAllocation(byteCount: utf8.count + 1, alignment: 1) { key in
                key.copyMemory(from: UnsafeRawBufferPointer(utf8))
                key[utf8.count] = 1
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }
}
