import CanonicalJSON
import LMDB

/// The named databases of the log environment and how their keys are built.
///
/// - `log`: big-endian UInt64 position → record bytes (canonical JSON). Append-only.
/// - `streams`: streamId ‖ 0x00 ‖ big-endian version → big-endian position. Stream ids are
///   printable ASCII, so 0x00 sorts a stream's entries together and before any longer id.
/// - `idempotency-by-time`: createdAt ms ‖ caller-scoped key → nothing: what the store reads
///   at open to fill its `IdempotencyIndex`, and the order of expiry.
/// - `idempotency-replies`: the same key → `IdempotencyEntry`. Keyed by time, not by the
///   client's (random) key, so each commit appends its replies together (see `IdempotencyIndex`).
///   Format 1 kept them in `idempotency`, keyed by the client's key; opening such a log for
///   writing moves them (`migrateIdempotency`).
/// - `snapshots`: streamId → big-endian version ‖ opaque state bytes (not hash-chained; a cache
///   the log can always regenerate).
/// - `meta`: format marker; `indexed-through`, the last position whose `streams` entry is written
///   (later ones wait in `PendingStreamIndex`).
/// - side tables named by the application (e.g. the personal-data key store), written in the
///   same transaction as the events they go with.
struct StoreLayout {
    static let formatVersion = "orderlog-log-2"
    /// Logs of this format are moved to the current one when opened for writing.
    static let formatVersionWithKeyedReplies = "orderlog-log-1"

    let log: Database
    let streams: Database
    let idempotencyByTime: Database
    /// Absent only from a format-1 log opened read-only (which never answers from it).
    let idempotencyReplies: Database?
    let snapshots: Database
    let meta: Database
    let sideTables: [String: Database]
    /// The longest key a put may carry (LMDB's limit).
    let maxKeyBytes: Int
    /// The lengths an idempotency key may have: both of its tables prefix it with 8 bytes of
    /// time, and the whole must fit LMDB's limit.
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
        idempotencyByTime = try open("idempotency-by-time")
        idempotencyReplies = try environment.openDatabase("idempotency-replies", create: !environment.options.readOnly)
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
        // In place (`withUTF8Bytes`): `withUTF8` needed a copy of the string, a retain and a release.
        return try streamId.withUTF8Bytes { utf8 in
            try withUnsafeTemporaryAllocation(byteCount: utf8.count + 9, alignment: 1) { key in
                key.copyMemory(from: utf8)
                key[utf8.count] = 0
                key.storeBytes(of: version.bigEndian, toByteOffset: utf8.count + 1, as: UInt64.self)
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }

    /// Runs `body` with the smallest key after every entry of `streamId` (`streamId ‖ 0x01`),
    /// built on the stack.
    static func withStreamEndKey<R>(_ streamId: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        return try streamId.withUTF8Bytes { utf8 in
            try withUnsafeTemporaryAllocation(byteCount: utf8.count + 1, alignment: 1) { key in
                key.copyMemory(from: utf8)
                key[utf8.count] = 1
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }
}
