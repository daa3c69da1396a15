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

    /// One cached document, typed: reading and replacing it neither boxes nor casts the value
    /// (a document kept as `Any` was copied out by a dynamic cast and boxed again on every
    /// event).
    private final class DocumentBox<T: Codable>: CachedDocument {
        var value: T?
        /// The value at the last `takeChanges`, unless `baselineIsStored`: then it is still
        /// what LMDB holds (read only if `takeChanges` asks).
        var baseline: T?
        var baselineIsStored: Bool
        /// Set since the batch began (to be written) / since the last `takeChanges`.
        var dirty = false
        var changed = false

        init(value: T?, baseline: T?, baselineIsStored: Bool) {
            self.value = value
            self.baseline = baseline
            self.baselineIsStored = baselineIsStored
        }

        func set(_ newValue: T?) {
            value = newValue
            dirty = true
            changed = true
        }

        func encoded() throws -> [UInt8]? {
            guard dirty else { return nil }
            guard let value else { return [] }
            return try DocumentCodec.encode(value)
        }

        var isDirty: Bool { dirty }
        var isDeleted: Bool { value == nil }
    }

    private protocol CachedDocument: AnyObject {
        var isDirty: Bool { get }
        var isDeleted: Bool { get }
        func encoded() throws -> [UInt8]?
    }

    private struct DocumentKey: Hashable {
        let database: String
        let key: String
    }

    private var documents: [DocumentKey: any CachedDocument] = [:]
    private var counterDeltas: [DocumentKey: Int] = [:]

    init(transaction: Transaction, databases: [String: Database]) {
        self.transaction = transaction
        self.databases = databases
    }

    func database(_ name: String) throws -> Database {
        guard let db = databases[name] else { throw ProjectionError.unknownDatabase(name) }
        return db
    }

    // MARK: Documents

    public func document<T: Codable>(_ type: T.Type, _ database: String, _ key: String) throws -> T? {
        try box(T.self, database, key).value
    }

    /// The cached box of a document, loaded on first use.
    private func box<T: Codable>(_ type: T.Type, _ database: String, _ key: String) throws -> DocumentBox<T> {
        let documentKey = DocumentKey(database: database, key: key)
        if let cached = documents[documentKey] {
            return try typed(cached)
        }
        let value = try stored(T.self, database, key)
        let box = DocumentBox(value: value, baseline: value, baselineIsStored: false)
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
            try typed(cached, as: T.self).set(value)
        } else {
            let box = DocumentBox<T>(value: nil, baseline: nil, baselineIsStored: true)
            box.set(value)
            documents[documentKey] = box
        }
    }

    /// Changes a document in place (nil when absent: `body` is not called).
    public func update<T: Codable>(_ type: T.Type, _ database: String, _ key: String, _ body: (inout T) throws -> Void) throws {
        let box = try box(T.self, database, key)
        guard var value = box.value else { return }
        box.value = nil  // moved out, so `body` changes the only copy
        defer { box.set(value) }
        try body(&value)
    }

    /// The documents of `database` set since the last call (or the batch's start), each with
    /// its value then and now; the next call starts from now.
    ///
    /// For what a projection derives from a document (list entries, counters): maintained once
    /// per batch from the first and last state, not once per event — an order placed, asked
    /// for payment and paid in one batch is listed once, not listed, unlisted and relisted.
    public func takeChanges<T: Codable>(_ type: T.Type, _ database: String) throws -> [(before: T?, after: T?)] {
        var changes: [(before: T?, after: T?)] = []
        for (key, cached) in documents where key.database == database {
            let box = try typed(cached, as: T.self)
            guard box.changed else { continue }
            let before = box.baselineIsStored ? try stored(T.self, database, key.key) : box.baseline
            changes.append((before, box.value))
            box.baseline = box.value
            box.baselineIsStored = false
            box.changed = false
        }
        return changes
    }

    /// Ends the batch: lets the projection finish it, then writes every changed document.
    /// (Order does not matter: LMDB keeps keys sorted, and the digest reads them in key order.)
    func flush(_ projection: any Projection) throws {
        try projection.finishBatch(self)
        for (key, cached) in documents where cached.isDirty {
            let db = try database(key.database)
            if cached.isDeleted {
                try transaction.delete(db, Array(key.key.utf8))
            } else if let bytes = try cached.encoded() {
                try transaction.put(db, Array(key.key.utf8), bytes)
            }
        }
        documents.removeAll(keepingCapacity: true)
        try flushCounters()
    }

    // MARK: Raw entries

    public func put(_ database: String, _ key: [UInt8], _ value: [UInt8]) throws {
        try transaction.put(try self.database(database), key, value)
    }

    public func delete(_ database: String, _ key: [UInt8]) throws {
        try transaction.delete(try self.database(database), key)
    }

    public func get(_ database: String, _ key: [UInt8]) throws -> [UInt8]? {
        try transaction.getBytes(try self.database(database), key)
    }

    /// Keys (and values) starting with `prefix`, in order.
    public func entries(_ database: String, prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        let db = try self.database(database)
        var result: [(key: [UInt8], value: [UInt8])] = []
        try transaction.withCursor(db) { cursor in
            var entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atLeast: prefix)
            while let current = entry, current.key.hasPrefix(prefix) {
                result.append(([UInt8](current.key), [UInt8](current.value)))
                entry = try cursor.next()
            }
        }
        return result
    }

    /// Adds `delta` to a counter (stored as a decimal string; removed at zero).
    ///
    /// Summed for the whole batch and written once in `flush`: a flash sale's orders all move
    /// the same few counters (`all`, `status:…`), and a get and a put per counter per event was a
    /// large share of the read-model thread.
    public func addToCounter(_ database: String, _ key: String, _ delta: Int) throws {
        _ = try self.database(database)
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
