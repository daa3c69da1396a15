/// A read model built from the log.
///
/// Guarantees the runner gives it: events arrive once each, in position order, in batches;
/// a batch's changes and the projection's checkpoint commit in one read-model transaction, so
/// after any crash it resumes exactly after the last committed batch. A projection must be a
/// pure function of the events (no clock, no randomness), so a rebuild from position 0 comes
/// out byte-identical (the digest checks it).
public protocol Projection: Sendable {
    /// Stable name (`catalog`, `orders`, …): prefixes its databases and keys its checkpoint.
    var name: String { get }
    /// The databases it owns, by local name.
    var databases: [String] { get }
    /// The version of what it stores. Raise it with any change to the bytes it writes that an
    /// earlier build's reader (or this one's) would misread: on start, a projection whose read
    /// model was written at another version is emptied and rebuilt from the log.
    var layoutVersion: UInt64 { get }
    /// Applies one event; throwing stops this projection at that event (it is never skipped).
    func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws
    /// Called once at the end of each batch, before its changes are written: for what is
    /// cheaper to maintain per batch than per event (see `ProjectionContext.forEachChange`).
    func finishBatch(_ context: ProjectionContext) throws
}

extension Projection {
    public func finishBatch(_ context: ProjectionContext) throws {}

    /// Every projection's layout as first released.
    public var layoutVersion: UInt64 { 1 }
}
