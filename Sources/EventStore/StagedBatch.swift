import LMDB
import Synchronization

/// One group commit's writes, staged by the writer thread without a write transaction and then
/// written by the committer thread in one (see `Writer`, `Committer`). Until the writer's read
/// snapshot shows its commit, the batches staged after it read through it (`StagedReads`), as if
/// it were committed.
final class StagedBatch: @unchecked Sendable {
    // @unchecked: the writer thread fills it and then hands it to the committer through the
    // committer's lock; from then on both threads only read it, except `transactionId` (atomic)
    // and `jobs`, which the committer lets go of once they are answered — the writer reads the
    // jobs of a handed-over batch only after it failed.
    let firstPosition: UInt64
    /// The chain's hash before the first record: where the writer rewinds when the batch fails.
    let startHash: [UInt8]
    let batchMillis: Int64
    private(set) var jobs: [any WriterJob] = []
    private(set) var jobCount = 0
    /// The records back to back: record `i` (position `firstPosition + i`, described by
    /// `handed[i]`) ends at `recordEnds[i]`.
    private(set) var records: [UInt8] = []
    private(set) var recordEnds: [Int] = []
    private(set) var handed: [HandedEvent] = []
    /// The head of every stream this batch appends to, after it.
    private(set) var heads: [String: StreamHead] = [:]
    /// Snapshot values (`version ‖ state`) by stream id.
    private(set) var snapshots: [String: [UInt8]] = [:]
    /// Side-table writes in the order they were staged (a later one may undo an earlier one).
    private(set) var sideWrites: [(database: Database, write: SideTableWrite)] = []
    /// Remembered responses by key (encoded `IdempotencyEntry`), with their expiry-index keys.
    private(set) var idempotency: [String: [UInt8]] = [:]
    private(set) var idempotencyExpiry: [[UInt8]] = []
    /// Forget remembered responses created before this time (the committer purges).
    var purgeBefore: Int64?
    /// The id of the write transaction that commits this batch, once the committer began it (0
    /// before): the batch is committed exactly when a read snapshot's id reaches it.
    let transactionId = Atomic<Int>(0)

    /// Seconds the writer spent staging it.
    var stagingSeconds = 0.0

    init(firstPosition: UInt64, startHash: [UInt8], batchMillis: Int64, expectedJobs: Int) {
        self.firstPosition = firstPosition
        self.startHash = startHash
        self.batchMillis = batchMillis
        // Enough for an event a job without regrowing; past that, the arrays grow by doubling.
        handed.reserveCapacity(expectedJobs)
        recordEnds.reserveCapacity(expectedJobs)
        records.reserveCapacity(expectedJobs * 512)
    }

    /// Jobs joining the batch (the writer stages them next).
    func add(_ more: [any WriterJob]) {
        jobs.append(contentsOf: more)
        jobCount += more.count
    }

    var eventCount: Int { handed.count }
    /// Position of the last event (of the log, when the batch appends nothing).
    var lastPosition: UInt64 { firstPosition + UInt64(handed.count) - 1 }

    // MARK: Staging (writer thread, before the hand-over)

    /// Appends one record: `encode` writes its bytes at the end of the arena.
    func appendRecord(_ event: HandedEvent, encode: (inout [UInt8]) -> Void) {
        encode(&records)
        recordEnds.append(records.count)
        handed.append(event)
    }

    func setHead(_ head: StreamHead, of streamId: String) {
        heads[streamId] = head
    }

    func putSnapshot(streamId: String, value: [UInt8]) {
        snapshots[streamId] = value
    }

    func append(_ write: SideTableWrite, to database: Database) {
        sideWrites.append((database, write))
    }

    func remember(key: String, entry: [UInt8], expiryKey: [UInt8]) {
        idempotency[key] = entry
        idempotencyExpiry.append(expiryKey)
    }

    /// The committer answered every job: let the callers hold the last references.
    func releaseJobs() {
        jobs = []
    }

    // MARK: Reading (writer thread; the committer reads the same fields after the hand-over)

    /// The bytes of record `index` (0-based in this batch).
    func withRecord<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : recordEnds[index - 1]
        return try records.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<recordEnds[index]])) }
    }

    /// What this batch's side-table writes make of `key`: nil when they do not touch it.
    func sideTableLookup(_ database: Database, key: [UInt8]) -> SideTableLookup? {
        for (db, write) in sideWrites.reversed() where db == database {
            switch write.operation {
            case .put(let value) where write.key == key: return .value(value)
            case .delete where write.key == key: return .deleted
            case .deletePrefix where key.starts(with: write.key): return .deleted
            default: continue
            }
        }
        return nil
    }

    /// Applies this batch's writes under `prefix` in `database` to `entries`.
    func applySideWrites(_ database: Database, prefix: [UInt8], to entries: inout [[UInt8]: [UInt8]]) {
        for (db, write) in sideWrites where db == database {
            switch write.operation {
            case .put(let value) where write.key.starts(with: prefix): entries[write.key] = value
            case .delete where write.key.starts(with: prefix): entries[write.key] = nil
            case .deletePrefix:
                if prefix.starts(with: write.key) {
                    entries.removeAll()
                } else if write.key.starts(with: prefix) {
                    entries = entries.filter { !$0.key.starts(with: write.key) }
                }
            default: continue
            }
        }
    }
}

/// A side-table key as a staged batch left it.
enum SideTableLookup {
    case value([UInt8])
    case deleted
}
