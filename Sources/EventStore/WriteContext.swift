import CanonicalJSON
import LMDB

/// What a decide step may read inside the writer: the current state of the log including
/// everything staged earlier in the same batch.
///
/// Valid only during the decide call (it wraps the open write transaction).
public struct WriteContext {
    let scope: BatchScope
    var transaction: Transaction { scope.transaction }
    var layout: StoreLayout { scope.layout }
    /// Commit time of this batch, milliseconds since the epoch.
    public var batchMillis: Int64 { scope.batchMillis }
    /// Position of the last event in the log as this decide step sees it (committed or staged
    /// earlier in the batch; 0 for an empty log).
    public let lastPosition: UInt64

    public func head(of streamId: String) throws -> StreamHead? {
        try scope.headWithSlot(of: streamId).head
    }

    public func readStream(_ streamId: String, fromVersion: UInt64 = 1, limit: Int = .max) throws -> [RecordedEvent] {
        try StoreReads.readStream(streamId, fromVersion: fromVersion, limit: limit, newer: scope.newerRuns(of: streamId),
                                  transaction: transaction, layout: layout)
    }

    /// Every record from `position` to the end of the log as this decide step sees it.
    public func forEachRecord(from position: UInt64, _ body: (RecordedEvent) throws -> Void) throws {
        try StoreReads.forEachRaw(from: position, limit: .max, transaction: transaction, layout: layout) { position, bytes in
            try body(try RecordCodec.decode(bytes, position: position))
        }
    }

    public func snapshot(of streamId: String) throws -> (version: UInt64, state: [UInt8])? {
        try StoreReads.snapshot(of: streamId, transaction: transaction, layout: layout)
    }

    public func sideTableValue(_ table: String, key: [UInt8]) throws -> [UInt8]? {
        guard let db = layout.sideTables[table] else { throw EventStoreError.invalidArgument("no side table \(table)") }
        return try transaction.getBytes(db, key)
    }

    /// Every key/value of a side table whose key starts with `prefix`.
    public func sideTableEntries(_ table: String, prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        guard let db = layout.sideTables[table] else { throw EventStoreError.invalidArgument("no side table \(table)") }
        return try transaction.entries(withPrefix: prefix, in: db)
    }
}

/// Reads shared by reader transactions and the writer's context.
enum StoreReads {
    static func head(of streamId: String, transaction: Transaction, layout: StoreLayout) throws -> StreamHead? {
        try transaction.withCursor(layout.streams) { cursor in try head(of: streamId, cursor: cursor) }
    }

    /// `streamId`'s head through a cursor over the stream index.
    static func head(of streamId: String, cursor: Cursor) throws -> StreamHead? {
        // The end key is the stream's prefix (`id ‖ 0x00`) with its last byte raised: the entry
        // just before it is the stream's last, if it has the prefix.
        try StoreLayout.withStreamEndKey(streamId) { end in
            let found = try cursor.seek(atLeast: end) != nil ? try cursor.previous() : try cursor.last()
            let idLength = end.count - 1
            guard let entry = found,
                  entry.key.count == end.count + 8,
                  entry.key.hasPrefix(UnsafeRawBufferPointer(rebasing: end[..<idLength])), entry.key[idLength] == 0,
                  let version = BigEndian.uint64(entry.key, at: end.count),
                  let position = BigEndian.uint64(entry.value)
            else { return nil }
            return StreamHead(version: version, position: position)
        }
    }

    /// The stream's events from `fromVersion`: those the index holds, then those of `newer` —
    /// runs the index does not hold yet (`PendingStreamIndex`), oldest first — skipping any
    /// version already read and stopping at a gap.
    static func readStream(_ streamId: String, fromVersion: UInt64, limit: Int, newer: [StreamRun], transaction: Transaction,
                           layout: StoreLayout) throws -> [RecordedEvent] {
        guard limit > 0 else { return [] }
        let prefix = Array(streamId.utf8) + [0]
        var events: [RecordedEvent] = []
        var next = max(fromVersion, 1)
        func read(_ position: UInt64) throws {
            guard let bytes = try transaction.get(layout.log, BigEndian.bytes(position)) else {
                throw EventStoreError.corruptRecord(position: position, reason: "indexed by \(streamId) but missing from the log")
            }
            events.append(try RecordCodec.decode(bytes, position: position))
            next += 1
        }
        try transaction.withCursor(layout.streams) { cursor in
            var entry = try StoreLayout.withStreamKey(streamId, version: next) { try cursor.seek(atLeast: $0) }
            while let current = entry, current.key.count == prefix.count + 8, current.key.hasPrefix(prefix) {
                guard let position = BigEndian.uint64(current.value), BigEndian.uint64(current.key, at: prefix.count) == next else { break }
                try read(position)
                if events.count >= limit { return }
                entry = try cursor.next()
            }
        }
        for run in newer where events.count < limit {
            guard next >= run.firstVersion else { break }
            for position in run.positions(from: next) {
                try read(position)
                if events.count >= limit { break }
            }
        }
        return events
    }

    static func readAll(from position: UInt64, limit: Int, transaction: Transaction, layout: StoreLayout) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachRaw(from: position, limit: limit, transaction: transaction, layout: layout) { position, bytes in
            events.append(try RecordCodec.decode(bytes, position: position))
        }
        return events
    }

    static func forEachRaw(from position: UInt64, limit: Int, transaction: Transaction, layout: StoreLayout,
                           _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        guard limit > 0 else { return }
        try transaction.withCursor(layout.log) { cursor in
            var count = 0
            var entry = try cursor.seek(atLeast: BigEndian.bytes(max(position, 1)))
            while let current = entry, count < limit {
                guard let key = BigEndian.uint64(current.key) else { break }
                try body(key, current.value)
                count += 1
                entry = try cursor.next()
            }
        }
    }

    static func lastPosition(transaction: Transaction, layout: StoreLayout) throws -> (position: UInt64, record: UnsafeRawBufferPointer)? {
        try transaction.withCursor(layout.log) { cursor in
            guard let last = try cursor.last(), let position = BigEndian.uint64(last.key) else { return nil }
            return (position, last.value)
        }
    }

    static func snapshot(of streamId: String, transaction: Transaction, layout: StoreLayout) throws -> (version: UInt64, state: [UInt8])? {
        guard let value = try transaction.get(layout.snapshots, Array(streamId.utf8)), let version = BigEndian.uint64(value) else {
            return nil
        }
        return (version, [UInt8](UnsafeRawBufferPointer(rebasing: value[8...])))
    }
}
