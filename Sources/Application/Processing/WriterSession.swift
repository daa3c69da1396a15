import CanonicalJSON
import Domain
import EventStore

/// One command's decide step inside the writer: loads the states it reads (cache, else
/// snapshot plus the events after it), stages its events per stream, and turns all of it into
/// the EventStore's `Decision` — with the cache updates as the staged hook and their undoing as
/// the rollback.
struct WriterSession {
    let context: WriteContext
    let state: ProcessorState
    let metadata: CommandMetadata

    fileprivate struct Staged {
        let streamId: String
        var expected: ExpectedVersion
        var version: UInt64
        /// A `StateBox` of the state once this command's events are applied; nil until folded.
        var stateAfter: AnyObject?
        var snapshotVersion: UInt64
        /// Where the state cache holds the stream, when it was loaded from there.
        var cacheSlot: Int32?
        var events: [ProposedEvent]
        var snapshot: SnapshotWrite?
    }

    /// The streams this command appends to, in the order it first did. A command touches a
    /// handful of streams, so a scan beats hashing every stream id into a dictionary.
    private var staged: [Staged] = []
    private(set) var sideTableWrites: [SideTableWrite] = []
    /// The buyers whose purchases this command changes: one or none, so an array (a `Set` cost
    /// its storage and a hash per command).
    private(set) var touchedUsers: [String] = []
    var addressedStream: String?

    init(context: WriteContext, state: ProcessorState, metadata: CommandMetadata) {
        self.context = context
        self.state = state
        self.metadata = metadata
        staged.reserveCapacity(4)
    }

    private func stagedIndex(_ streamId: String) -> Int? {
        staged.firstIndex { $0.streamId == streamId }
    }

    struct Loaded<S> {
        let version: UInt64
        let state: S
        /// Of the stream's last snapshot, so the next comes `snapshotInterval` events later.
        var snapshotVersion: UInt64 = 0
        var cacheSlot: Int32?
    }

    /// The stream's current state as this command sees it (including what it staged itself).
    func load<A: Aggregate>(_ aggregate: A.Type, _ streamId: String) throws -> Loaded<A.State> {
        if let index = stagedIndex(streamId), let box = staged[index].stateAfter, let s = StateBox<A.State>.unbox(box) {
            return Loaded(version: staged[index].version, state: s, snapshotVersion: staged[index].snapshotVersion, cacheSlot: staged[index].cacheSlot)
        }
        if let cached = state.cache.get(streamId, as: A.State.self) {
            return Loaded(version: cached.version, state: cached.state, snapshotVersion: cached.snapshotVersion, cacheSlot: cached.slot)
        }
        var folded = A.initialState
        var version: UInt64 = 0
        var snapshotVersion: UInt64 = 0
        if let snapshot = try context.snapshot(of: streamId), let decoded = Self.decodeSnapshot(A.self, snapshot.state) {
            folded = decoded
            version = snapshot.version
            snapshotVersion = snapshot.version
        }
        var from = version + 1
        while true {
            let events = try context.readStream(streamId, fromVersion: from, limit: 1000)
            for recorded in events {
                let event = try DomainEvent.decode(type: recorded.type, data: recorded.data)
                guard let specific = A.extract(event) else {
                    throw EventStoreError.corruptRecord(position: recorded.position, reason: "\(recorded.type) does not belong in \(streamId)")
                }
                A.evolve(&folded, specific)
                version = recorded.version
            }
            guard events.count == 1000 else { break }
            from = version + 1
        }
        state.cache.put(streamId, version: version, state: StateBox(folded), snapshotVersion: snapshotVersion)
        return Loaded(version: version, state: folded, snapshotVersion: snapshotVersion)
    }

    /// Stages the first events of a stream this command just named with a fresh id (an order):
    /// nothing to load, and the append still insists the stream does not exist yet.
    mutating func appendNew<A: Aggregate>(_ aggregate: A.Type, _ streamId: String, _ events: [A.Event]) throws {
        try append(A.self, streamId, events, current: stagedIndex(streamId) == nil ? Loaded(version: 0, state: A.initialState) : nil)
    }

    /// Stages `events` for `streamId`, expecting the version this command loaded.
    mutating func append<A: Aggregate>(_ aggregate: A.Type, _ streamId: String, _ events: [A.Event]) throws {
        try append(A.self, streamId, events, current: nil)
    }

    private mutating func append<A: Aggregate>(_ aggregate: A.Type, _ streamId: String, _ events: [A.Event], current known: Loaded<A.State>?) throws {
        guard !events.isEmpty else { return }
        let current = try known ?? load(A.self, streamId)
        let currentVersion = current.version
        let index = stagedIndex(streamId)
        // `stateAfter` is set below, once folded: boxing the state before it would cost an
        // allocation for nothing.
        var entry = index.map { staged[$0] } ?? Staged(
            streamId: streamId, expected: currentVersion == 0 ? .noStream : .exact(currentVersion), version: currentVersion, stateAfter: nil,
            snapshotVersion: current.snapshotVersion, cacheSlot: current.cacheSlot, events: [], snapshot: nil)
        entry.events.reserveCapacity(entry.events.count + events.count)
        // Folded in place from the loaded state, moved rather than copied.
        var folded = (consume current).state
        for event in events {
            let domainEvent = A.wrap(event)
            // The typed event rides along, so the projection runner need not decode the bytes.
            entry.events.append(try ProposedEvent(type: domainEvent.typeName, canonicalData: try domainEvent.canonicalData(),
                                                  metadata: metadata.eventMetadata, attachment: domainEvent))
            A.evolve(&folded, event)
        }
        entry.version = currentVersion + UInt64(events.count)
        if entry.version - entry.snapshotVersion >= state.snapshotInterval {
            entry.snapshot = SnapshotWrite(streamId: streamId, version: entry.version, state: try Self.encodeSnapshot(A.self, folded))
            entry.snapshotVersion = entry.version
        }
        // Moved into its box, not copied (a retain of each of its strings and arrays).
        entry.stateAfter = StateBox(consume folded)
        if let index { staged[index] = entry } else { staged.append(entry) }
    }

    /// The state `streamId` will have once this command's events are applied.
    func stagedState<A: Aggregate>(_ aggregate: A.Type, _ streamId: String) throws -> A.State {
        try load(A.self, streamId).state
    }

    mutating func write(_ write: SideTableWrite) {
        sideTableWrites.append(write)
    }

    mutating func touchUser(_ userId: String) {
        if !touchedUsers.contains(userId) { touchedUsers.append(userId) }
    }

    var appendsNothing: Bool { staged.isEmpty }

    /// The EventStore decision: the plan, then on staging the cache takes the new states and
    /// `result` builds the answer; on rollback every stream and buyer this command touched is
    /// forgotten and reloads from the log.
    func decision<R>(committed: @escaping () -> Void = {}, result: @escaping () -> R) -> Decision<R> {
        let plan = WritePlan(
            appends: staged.map { StreamAppend(streamId: $0.streamId, expectedVersion: $0.expected, events: $0.events) },
            snapshots: staged.contains { $0.snapshot != nil } ? staged.compactMap(\.snapshot) : [],
            sideTableWrites: sideTableWrites,
            addressedStream: addressedStream)
        // One object for both hooks: each closure then captures a single reference, which
        // Swift passes as the closure's context instead of allocating one per closure.
        let hooks = StagedCommand(state: state, staged: staged, users: touchedUsers, result: result)
        return Decision(plan: plan, staged: { _ in hooks.apply() }, rollback: { hooks.forget() }, committed: committed)
    }

    // MARK: Snapshots

    private struct SnapshotEnvelope<S: Codable>: Codable {
        let schema: Int
        let state: S
    }

    static func encodeSnapshot<A: Aggregate>(_ aggregate: A.Type, _ state: A.State) throws -> [UInt8] {
        try JSONValueEncoder().encode(SnapshotEnvelope(schema: A.snapshotSchema, state: state)).serialized()
    }

    static func decodeSnapshot<A: Aggregate>(_ aggregate: A.Type, _ bytes: [UInt8]) -> A.State? {
        guard let envelope = try? JSONValueDecoder().decode(SnapshotEnvelope<A.State>.self, from: bytes),
              envelope.schema == A.snapshotSchema else { return nil }
        return envelope.state
    }
}

/// What a staged command does to the writer's caches once its plan is written (`apply`), or
/// when its batch fails (`forget`).
private final class StagedCommand<R> {
    let state: ProcessorState
    let staged: [WriterSession.Staged]
    let users: [String]
    let result: () -> R

    init(state: ProcessorState, staged: [WriterSession.Staged], users: [String], result: @escaping () -> R) {
        self.state = state
        self.staged = staged
        self.users = users
        self.result = result
    }

    func apply() -> R {
        for entry in staged {
            guard let box = entry.stateAfter else { continue }
            state.cache.put(entry.streamId, version: entry.version, state: box, snapshotVersion: entry.snapshotVersion, slot: entry.cacheSlot)
        }
        return result()
    }

    func forget() {
        state.forget(streams: staged.map(\.streamId), users: users)
    }
}
