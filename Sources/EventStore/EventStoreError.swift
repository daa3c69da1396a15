import LMDB

/// What can go wrong in the log, as values a caller can act on.
public enum EventStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A conditional append found the stream at another version; nothing was written.
    case versionConflict(streamId: String, expected: ExpectedVersion, actual: UInt64?)
    /// The same idempotency key came with a different request.
    case idempotencyKeyReused(key: String)
    /// Another process holds the log open for writing.
    case locked(path: String)
    /// The log could not be written (disk full, I/O error); the whole batch was rolled back.
    case storageUnavailable(reason: String)
    /// A stored record does not parse or does not match its index.
    case corruptRecord(position: UInt64, reason: String)
    /// The caller asked for something malformed (an empty stream id, a non-integer number, …).
    case invalidArgument(String)
    /// The store has been closed.
    case closed
    /// Any other LMDB failure.
    case lmdb(code: Int32, message: String)

    public var description: String {
        switch self {
        case .versionConflict(let stream, let expected, let actual):
            "version conflict on \(stream): expected \(expected), actual \(actual.map(String.init) ?? "no stream")"
        case .idempotencyKeyReused(let key): "idempotency key \(key) was used for a different request"
        case .locked(let path): "\(path) is locked by another writer (is a server running on this data directory?)"
        case .storageUnavailable(let reason): "the log cannot be written: \(reason)"
        case .corruptRecord(let position, let reason): "corrupt record at position \(position): \(reason)"
        case .invalidArgument(let reason): "invalid argument: \(reason)"
        case .closed: "the event store is closed"
        case .lmdb(let code, let message): "LMDB error \(code): \(message)"
        }
    }

    init(_ error: LMDBError) {
        if error.isStorageFailure || error.isMapFull {
            self = .storageUnavailable(reason: error.description)
        } else {
            self = .lmdb(code: error.code, message: error.description)
        }
    }

    /// Maps anything thrown by the LMDB layer into the store's error type.
    static func wrap(_ error: any Error) -> EventStoreError {
        switch error {
        case let e as EventStoreError: e
        case let e as LMDBError: EventStoreError(e)
        default: .invalidArgument(String(describing: error))
        }
    }
}
