/// What a decide step running inside the writer wants written, and what to do around the commit.
///
/// The writer validates the whole plan (expected versions) before writing any of it, so a plan
/// is all or nothing: a conflicting plan fails alone and its batch carries on.
public struct WritePlan: Sendable {
    public var appends: [StreamAppend]
    public var snapshots: [SnapshotWrite]
    public var sideTableWrites: [SideTableWrite]
    /// When the plan appends nothing, the command still answers with the position of the last
    /// event of the stream it addressed.
    public var addressedStream: String?

    public init(appends: [StreamAppend] = [], snapshots: [SnapshotWrite] = [], sideTableWrites: [SideTableWrite] = [],
                addressedStream: String? = nil) {
        self.appends = appends
        self.snapshots = snapshots
        self.sideTableWrites = sideTableWrites
        self.addressedStream = addressedStream
    }
}

/// A cached state of a long stream as of `version`, so it need not be folded from the start.
public struct SnapshotWrite: Sendable {
    public let streamId: String
    public let version: UInt64
    public let state: [UInt8]

    public init(streamId: String, version: UInt64, state: [UInt8]) {
        self.streamId = streamId
        self.version = version
        self.state = state
    }
}

/// A put (value) or delete (nil) in an application side table, or the deletion of every key
/// with a prefix; committed atomically with the events.
public struct SideTableWrite: Sendable {
    public enum Operation: Sendable {
        case put([UInt8])
        case delete
        case deletePrefix

        var isPrefixDeletion: Bool {
            if case .deletePrefix = self { true } else { false }
        }
    }

    public let table: String
    public let key: [UInt8]
    public let operation: Operation

    public init(table: String, key: [UInt8], operation: Operation) {
        self.table = table
        self.key = key
        self.operation = operation
    }
}

/// Where an accepted plan landed.
public struct AppendOutcome: Sendable {
    /// Position of the first appended event (nil when the plan appended nothing).
    public let firstPosition: UInt64?
    /// Position of the last appended event, or of the last event of the addressed stream when
    /// nothing was appended (0 if that stream does not exist).
    public let lastPosition: UInt64
    /// The plan's appends, and the version each of their streams has after it (same order): kept
    /// as written instead of as a dictionary, which cost the writer an allocation and a hash
    /// per append for a map that only some callers read.
    let appends: [StreamAppend]
    /// The first append's new version, and the others': most plans append to one stream, and
    /// an array for that one version cost the writer an allocation per plan (~1.5 % of the
    /// append benchmark's writer).
    let firstNewVersion: UInt64
    let otherNewVersions: [UInt64]
    /// The commit time stamped on the batch (RFC 3339).
    public let at: String

    public var appendedNothing: Bool { firstPosition == nil }

    /// The new version of every stream appended to.
    public var versions: [String: UInt64] {
        Dictionary(zip(appends.map(\.streamId), [firstNewVersion] + otherNewVersions), uniquingKeysWith: { _, last in last })
    }
}

/// The decide step's answer: the plan, how to turn the outcome into the caller's result, and
/// hooks around the commit for state the caller keeps beside the log (caches).
public struct Decision<Result> {
    public var plan: WritePlan
    /// Runs on the writer right after the plan is written into the batch (not yet durable):
    /// the place to evolve caches so later commands of the same batch see this one.
    public var staged: (AppendOutcome) throws -> Result
    /// Runs on the writer when the batch fails after this plan was staged: drop what `staged`
    /// derived.
    public var rollback: () -> Void
    /// Runs on the writer after the commit is durable, before any caller is answered.
    public var committed: () -> Void

    public init(plan: WritePlan, staged: @escaping (AppendOutcome) throws -> Result,
                rollback: @escaping () -> Void = {}, committed: @escaping () -> Void = {}) {
        self.plan = plan
        self.staged = staged
        self.rollback = rollback
        self.committed = committed
    }
}

/// A caller-scoped idempotency key and the fingerprint of the request it came with.
public struct IdempotencyClaim: Sendable, Hashable {
    public let key: String
    public let fingerprint: [UInt8]

    public init(key: String, fingerprint: [UInt8]) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// How a submitted command ended.
public enum Submission<Result: Sendable>: Sendable {
    /// Decided and committed now; `position` is the last event's (or the addressed stream's).
    case completed(Result, position: UInt64)
    /// A retry: the remembered response of the first request with this key, nothing appended.
    case replayed(response: [UInt8], position: UInt64)
}
