import LMDB
import Synchronization

/// One stream's new versions, in order: `firstVersion` is at `positions[0]`, the next version
/// at `positions[1]`, and so on.
struct StreamRun: Sendable {
    var firstVersion: UInt64
    var positions: [UInt64]

    var lastVersion: UInt64 { firstVersion + UInt64(positions.count) - 1 }

    var head: StreamHead? {
        positions.last.map { StreamHead(version: lastVersion, position: $0) }
    }

    /// The positions of versions from `version` on (all of them when it is below the run).
    func positions(from version: UInt64) -> ArraySlice<UInt64> {
        let skip = version > firstVersion ? Int(min(version - firstVersion, UInt64(positions.count))) : 0
        return positions[skip...]
    }
}

/// Stream-index entries of committed events that the `streams` database does not hold yet.
///
/// Writing each event's index entry in its own commit dirtied a leaf of the index (and its path
/// from the root) for every existing stream a batch appended to: with appenders' long streams
/// (carts, accounts) spread over the index, most of a commit's pages, and appends to 256 such
/// streams ran at ~0.4 × the rate of appends that each start a stream. The writer keeps those
/// entries here instead and writes them, sorted, once `streamIndexFlushEntries` have gathered
/// or the marker lags that many positions behind the log, together with the marker
/// `indexed-through` (every entry up to that position is in the database) in the same
/// transaction. A stream an append starts waits here too when its batch is small, and is
/// indexed at once in a large one (`Batch.indexesNewStreamsAtOnce`); once a stream has an entry
/// here, its later ones follow it. So each stream's entries in the database are a prefix of its
/// versions, and the rest are here.
///
/// After a crash, the entries past the marker are read again from the log when the store opens
/// (some of them are in the database already: readers skip versions they have): the log stays
/// the only truth, the index its derived lookup. A clean stop writes them all.
///
/// Readers take a stream's run *before* opening their read transaction: a flush moves entries
/// into the database and only then removes them here, so every entry is in one or the other
/// (or both: versions already read are skipped).
final class PendingStreamIndex: Sendable {
    private let runs = Mutex<[String: StreamRun]>([:])
    /// Entries held over all runs, changed only under `runs`' lock but readable without it:
    /// most head lookups of a large batch's new streams find nothing pending, and locking to
    /// learn it was ~1 % of the writer.
    private let entries = Atomic<Int>(0)

    /// Entries held, over all streams.
    var count: Int { entries.load(ordering: .acquiring) }

    func run(of streamId: String) -> StreamRun? {
        guard count > 0 else { return nil }
        return runs.withLock { $0[streamId] }
    }

    func hasStream(withPrefix prefix: String) -> Bool {
        runs.withLock { runs in runs.keys.contains { $0.hasPrefix(prefix) } }
    }

    /// Every run, for a flush (the writer's own copy).
    func all() -> [String: StreamRun] {
        runs.withLock { $0 }
    }

    /// Adds a committed batch's entries (the writer, after its commit).
    func add(_ staged: [String: StreamRun]) {
        guard !staged.isEmpty else { return }
        runs.withLock { runs in
            for (streamId, run) in staged {
                runs.append(run, to: streamId)
                entries.add(run.positions.count, ordering: .releasing)
            }
        }
    }

    /// Forgets every entry: a commit has written them all to the database.
    func removeAll() {
        runs.withLock { runs in
            runs.removeAll()
            entries.store(0, ordering: .releasing)
        }
    }

    /// Adds one entry read back from the log (at open).
    func recover(streamId: String, version: UInt64, position: UInt64) {
        runs.withLock { runs in
            runs.append(position, version: version, to: streamId)
            entries.add(1, ordering: .releasing)
        }
    }
}

extension Dictionary where Key == String, Value == StreamRun {
    /// Continues `streamId`'s run with `run` (whose first version follows it), or starts it.
    mutating func append(_ run: StreamRun, to streamId: String) {
        self[streamId, default: StreamRun(firstVersion: run.firstVersion, positions: [])].positions.append(contentsOf: run.positions)
    }

    /// Continues `streamId`'s run with `version` at `position`, or starts it there.
    mutating func append(_ position: UInt64, version: UInt64, to streamId: String) {
        self[streamId, default: StreamRun(firstVersion: version, positions: [])].positions.append(position)
    }
}

extension StoreLayout {
    static let indexedThroughKey = Array("indexed-through".utf8)

    /// The last position whose stream-index entry the `streams` database holds. A log written
    /// before entries were deferred has none: every entry was written with its event.
    func indexedThrough(_ transaction: Transaction) throws -> UInt64? {
        try transaction.get(meta, Self.indexedThroughKey).flatMap { BigEndian.uint64($0) }
    }

    func setIndexedThrough(_ position: UInt64, _ transaction: Transaction) throws {
        try transaction.put(meta, Self.indexedThroughKey, BigEndian.bytes(position))
    }
}
