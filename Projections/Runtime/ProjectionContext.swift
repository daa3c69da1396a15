import CanonicalJSON
import Foundation
import LMDB

/// A projection's view of one batch's read-model transaction.
///
/// Documents (`document`/`setDocument`) are cached decoded for the whole batch and encoded
/// once at the end, so a hot sku's thousand reservations in one batch cost one decode and one
/// encode; counters are summed and written once too. Index entries (`put`/`delete`/`entries`)
/// go straight to LMDB.
public final class ProjectionContext {
    let transaction: Transaction
    let databases: [String: Database]
    private let decoder = JSONDecoder()

    private var documents: [DocumentKey: any CachedDocument]
    private var counterDeltas: [DocumentKey: Int] = [:]
    /// The databases `database(_:)` has found for this batch. Unchecked: one thread uses a
    /// context, and the runtime's exclusivity check on every read of it cost more than the scan.
    @exclusivity(unchecked) private var found: [(name: String, db: Database)] = []
    /// The batch writes in key order (documents in `flush`, the list entries derived from them
    /// in `forEachChange`): each put lands beside the last.
    private var cursors: WriteCursors
    private let carry: DocumentCarry?

    /// With a `carry`, starts from the documents of the last committed batch and hands this
    /// batch's back when it flushes (the caller commits them once the transaction has).
    init(transaction: Transaction, databases: [String: Database], carry: DocumentCarry? = nil) {
        self.transaction = transaction
        self.databases = databases
        self.carry = carry
        cursors = WriteCursors(transaction)
        documents = carry?.checkOut() ?? [:]
        counterDeltas.reserveCapacity(carry?.counterHint ?? 0)
    }

    /// A projection names its databases by literals, a handful of them, several times per
    /// event (an order's four list entries): those found so far are scanned first, comparing
    /// short names in a word or two where the dictionary hashed each name.
    func database(_ name: String) throws -> Database {
        for index in found.indices where found[index].name == name { return found[index].db }
        guard let db = databases[name] else { throw ProjectionError.unknownDatabase(name) }
        found.append((name, db))
        return db
    }

    // MARK: Documents

    public func document<T: Codable>(_ type: T.Type, _ database: String, _ key: String) throws -> T? {
        try box(T.self, database, key).value
    }

    /// The cached box of a document, loaded on first use (not looked up when `knownAbsent`).
    private func box<T: Codable>(_ type: T.Type, _ database: String, _ key: String, knownAbsent: Bool = false) throws -> DocumentBox<T> {
        let documentKey = DocumentKey(database: database, key: key)
        if let cached = documents[documentKey] {
            let box = try typed(cached, as: T.self)
            box.touch()
            return box
        }
        let box = DocumentBox(loaded: knownAbsent ? nil : try stored(T.self, database, key))
        documents[documentKey] = box
        return box
    }

    /// `cached` as a document of `T`; a key used as two different types in one batch is a
    /// projection's bug: refused, not guessed.
    private func typed<T: Codable>(_ cached: any CachedDocument, as type: T.Type = T.self) throws -> DocumentBox<T> {
        guard let box = cached as? DocumentBox<T> else { throw ProjectionError.documentType(String(describing: T.self)) }
        return box
    }

    /// The document as LMDB holds it (changes of this batch are written at its end).
    private func stored<T: Codable>(_ type: T.Type, _ database: String, _ key: String) throws -> T? {
        guard let bytes = try transaction.get(try self.database(database), Array(key.utf8)) else { return nil }
        return try DocumentCodec.decode(T.self, from: bytes, with: decoder)
    }

    /// Replaces (or with nil deletes) a document at the end of the batch.
    public func setDocument<T: Codable>(_ value: T?, _ database: String, _ key: String) throws {
        let documentKey = DocumentKey(database: database, key: key)
        if let cached = documents[documentKey] {
            let box = try typed(cached, as: T.self)
            box.touch()
            box.set(value)
        } else {
            documents[documentKey] = DocumentBox<T>(replacing: value)
        }
    }

    /// Changes a document in place (nil when absent: `body` is not called).
    public func update<T: Codable>(_ type: T.Type, _ database: String, _ key: String, _ body: (inout T) throws -> Void) throws {
        try box(T.self, database, key).modify(initial: { nil }, body)
    }

    /// Changes a document in place, starting from `initial()` when absent: for documents
    /// folded event by event (an order's), where reading a copy and setting it back copied
    /// every field twice. `isNew` when the caller knows it cannot exist yet (made by the first
    /// event of its stream): then it is not looked up in LMDB (a miss per new order).
    public func upsert<T: Codable>(_ type: T.Type, _ database: String, _ key: String, isNew: Bool = false, initial: () -> T,
                                   _ body: (inout T) throws -> Void) throws {
        try box(T.self, database, key, knownAbsent: isNew).modify(initial: initial, body)
    }

    /// Calls `body` with each document of `database` set since the last call (or the batch's
    /// start): its value then and now. The next call starts from now.
    ///
    /// For what a projection derives from a document (list entries, counters): maintained once
    /// per batch from the first and last state, not once per event — an order placed, asked
    /// for payment and paid in one batch is listed once, not listed, unlisted and relisted.
    /// `body` may read and change other documents.
    public func forEachChange<T: Codable>(_ type: T.Type, _ database: String, _ body: (_ before: T?, _ after: T?) throws -> Void) throws {
        var changed: [(key: String, box: DocumentBox<T>)] = []
        var order = KeyOrder(capacity: documents.count)
        for (key, cached) in documents where key.database == database && cached.isDirty {
            changed.append((key.key, try typed(cached, as: T.self)))
            order.append(key.key)
        }
        // In key order, like `flush`: the index entries `body` writes then follow the ids
        // (time-ordered for orders) instead of landing on random leaves.
        for index in order.order(tieBreak: { changed[$0].key.keyPrecedes(changed[$1].key) }) {
            let key = changed[index].key
            try changed[index].box.takeChange(stored: { try stored(T.self, database, key) }, body)
        }
    }

    /// Ends the batch: lets the projection finish it, then writes every changed document, in key
    /// order. The result does not depend on the order (LMDB keeps keys sorted); the speed does:
    /// in dictionary order each put landed on a random leaf of a large B-tree, and a rebuild's
    /// applying thread spent ~15 % more (four alternated pairs on a 1M-event log).
    func flush(_ projection: any Projection) throws {
        try projection.finishBatch(self)
        var dirty: [(key: DocumentKey, cached: any CachedDocument)] = []
        var order = KeyOrder(capacity: documents.count)
        for (key, cached) in documents where cached.isDirty {
            dirty.append((key, cached))
            order.append(key.key, group: key.database)
        }
        for index in order.order(tieBreak: { dirty[$0].key.key.keyPrecedes(dirty[$1].key.key) }) {
            let (key, cached) = dirty[index]
            let db = try database(key.database)
            if cached.isDeleted {
                try transaction.delete(db, Array(key.key.utf8))
            } else if let bytes = try cached.encoded() {
                let cursor = try cursors.cursor(db)
                try key.key.withUTF8Bytes { keyBytes in
                    try bytes.withUnsafeBytes { try cursor.put(keyBytes, $0) }
                }
            }
        }
        // The documents stay with the context (made for one batch) and go when it goes: on the
        // thread its owner chooses (a rebuild frees them on its reading thread).
        carry?.stage(documents, counters: counterDeltas.count)
        try flushCounters()
    }

    // MARK: Raw entries

    public func put(_ database: String, _ key: [UInt8], _ value: [UInt8]) throws {
        try cursors.put(key, value, in: try self.database(database))
    }

    public func delete(_ database: String, _ key: [UInt8]) throws {
        try transaction.delete(try self.database(database), key)
    }

    public func get(_ database: String, _ key: [UInt8]) throws -> [UInt8]? {
        try transaction.getBytes(try self.database(database), key)
    }

    /// Keys (and values) starting with `prefix`, in order.
    public func entries(_ database: String, prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        try transaction.entries(withPrefix: prefix, in: try self.database(database))
    }

    /// Adds `delta` to a counter (stored as a decimal string; removed at zero).
    ///
    /// Summed for the whole batch and written once in `flush`: a flash sale's orders all move
    /// the same few counters (`all`, `status:…`), and a get and a put per counter per event was a
    /// large share of the read-model thread.
    public func addToCounter(_ database: String, _ key: String, _ delta: Int) throws {
        _ = try self.database(database)  // refuses a name the projection does not have
        counterDeltas[DocumentKey(database: database, key: key), default: 0] += delta
    }

    private func flushCounters() throws {
        for (key, delta) in counterDeltas where delta != 0 {
            let db = try database(key.database)
            let current = try transaction.get(db, Array(key.key.utf8)).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            let next = current + delta
            if next == 0 {
                try transaction.delete(db, Array(key.key.utf8))
            } else {
                try transaction.put(db, Array(key.key.utf8), Array(String(next).utf8))
            }
        }
        counterDeltas.removeAll(keepingCapacity: true)
    }
}

public enum ProjectionError: Error, CustomStringConvertible, Equatable {
    case unknownDatabase(String)
    case documentType(String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .unknownDatabase(let name): "no database \(name)"
        case .documentType(let type): "stored document is not a \(type)"
        case .unexpected(let reason): reason
        }
    }
}
