import EventStore
import Foundation
import LMDB

/// Builds read models from the log synchronously, outside the server: for
/// `orderlog-replay rebuild` and the rebuild benchmark. Same projections, same contexts and
/// checkpoints as the runner, so the result digests the same.
public enum Rebuilder {
    /// Applies events `1…upTo` (or to the head) to `projections` in `target`, in chunks of
    /// `chunk` events per transaction. Returns how many events were applied.
    @discardableResult
    public static func build(_ projections: [any Projection], into target: ReadModelStore, from store: EventStore, upTo: UInt64? = nil,
                             chunk: Int = 10_000, progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        for projection in projections { try target.register(projection) }
        let end = try upTo ?? store.headPosition
        var position = try projections.map { try target.checkpoint($0.name) }.min() ?? 0
        var applied: UInt64 = 0
        while position < end {
            let recorded = try store.readAll(from: position + 1, limit: Int(min(UInt64(chunk), end - position)))
            guard let last = recorded.last?.position else { break }
            let events = try recorded.map { try ProjectedEvent($0) }
            try target.environment.write { txn in
                for projection in projections {
                    let handles = try target.handles(projection.name)
                    let checkpoint = try target.checkpoint(projection.name, in: txn)
                    let context = ProjectionContext(transaction: txn, databases: handles.databases)
                    for event in events where event.position > checkpoint { try projection.apply(event, context) }
                    try context.flush()
                    try txn.put(target.meta, ReadModelStore.checkpointKey(projection.name, generation: handles.generation), BigEndian.bytes(last))
                }
            }
            applied += UInt64(events.count)
            position = last
            progress?(position)
        }
        return applied
    }
}
