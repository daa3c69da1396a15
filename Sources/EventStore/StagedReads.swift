import LMDB

/// The log as the writer's decide steps see it: the last commit (a read snapshot), then the
/// batches staged after it, oldest first — the one the committer is writing (while the
/// snapshot does not show it yet) and the one being staged.
///
/// Valid during one staging only: the snapshot's transaction ends with it.
struct StagedReads {
    let transaction: Transaction
    let snapshot: ReadSnapshot
    let layout: StoreLayout
    let layers: [StagedBatch]

    /// The stream's head: the newest layer that appends to it, else the snapshot's index.
    func head(of streamId: String) throws -> StreamHead? {
        for layer in layers.reversed() {
            if let head = layer.heads[streamId] { return head }
        }
        return try StoreReads.head(of: streamId, cursor: try snapshot.cursor(layout.streams))
    }

    func readStream(_ streamId: String, fromVersion: UInt64, limit: Int) throws -> [RecordedEvent] {
        var events = try StoreReads.readStream(streamId, fromVersion: fromVersion, limit: limit, transaction: transaction, layout: layout)
        // Staged versions follow every committed one, so the layers continue the list.
        for layer in layers where events.count < limit && layer.heads[streamId] != nil {
            for (index, event) in layer.handed.enumerated() where event.streamId == streamId && event.version >= fromVersion {
                events.append(try layer.withRecord(index) { try RecordCodec.decode($0, position: event.position) })
                if events.count >= limit { break }
            }
        }
        return events
    }

    /// Every record from `position` to the last staged one, in order.
    func forEachRecord(from position: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        try StoreReads.forEachRaw(from: position, limit: .max, transaction: transaction, layout: layout, body)
        for layer in layers {
            for index in layer.handed.indices where layer.handed[index].position >= position {
                try layer.withRecord(index) { try body(layer.handed[index].position, $0) }
            }
        }
    }

    func snapshot(of streamId: String) throws -> (version: UInt64, state: [UInt8])? {
        for layer in layers.reversed() {
            if let value = layer.snapshots[streamId], let version = BigEndian.uint64(value) {
                return (version, Array(value[8...]))
            }
        }
        return try StoreReads.snapshot(of: streamId, transaction: transaction, layout: layout)
    }

    func sideTableValue(_ database: Database, key: [UInt8]) throws -> [UInt8]? {
        for layer in layers.reversed() {
            switch layer.sideTableLookup(database, key: key) {
            case .value(let value): return value
            case .deleted: return nil
            case nil: continue
            }
        }
        return try transaction.getBytes(database, key)
    }

    func sideTableEntries(_ database: Database, prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        let committed = try StoreReads.entries(withPrefix: prefix, in: database, transaction: transaction)
        guard layers.contains(where: { !$0.sideWrites.isEmpty }) else { return committed }
        var entries = Dictionary(committed, uniquingKeysWith: { _, last in last })
        for layer in layers { layer.applySideWrites(database, prefix: prefix, to: &entries) }
        return entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }

    func idempotencyEntry(for key: String) throws -> IdempotencyEntry? {
        for layer in layers.reversed() {
            if let staged = layer.idempotency[key] { return staged.withUnsafeBytes { IdempotencyEntry($0) } }
        }
        guard let bytes = try transaction.get(layout.idempotency, Array(key.utf8)) else { return nil }
        return IdempotencyEntry(bytes)
    }
}
