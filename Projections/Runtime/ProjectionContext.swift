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
    private let encoder = DocumentCodec.encoder()
    private let decoder = JSONDecoder()

    private struct CachedDocument {
        var value: Any?
        var dirty: Bool
        let encode: (Any, JSONEncoder) throws -> [UInt8]
        /// The value at the last `takeChanges`, or nil with `baselineIsStored` while that is
        /// still what LMDB holds (read only if `takeChanges` asks); `changed`: set since.
        var baseline: Any?
        var baselineIsStored: Bool
        var changed = false
    }

    private struct DocumentKey: Hashable {
        let database: String
        let key: String
    }

    private var documents: [DocumentKey: CachedDocument] = [:]
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
        let documentKey = DocumentKey(database: database, key: key)
        if let cached = documents[documentKey] { return cached.value as? T }
        let value = try stored(T.self, database, key)
        documents[documentKey] = CachedDocument(value: value, dirty: false, encode: Self.encoder(for: T.self), baseline: value, baselineIsStored: false)
        return value
    }

    /// The document as LMDB holds it (changes of this batch are written at its end).
    private func stored<T: Codable>(_ type: T.Type, _ database: String, _ key: String) throws -> T? {
        guard let bytes = try transaction.get(try self.database(database), Array(key.utf8)) else { return nil }
        return try DocumentCodec.decode(T.self, from: bytes, with: decoder)
    }

    /// Replaces (or with nil deletes) a document at the end of the batch.
    public func setDocument<T: Codable>(_ value: T?, _ database: String, _ key: String) {
        let documentKey = DocumentKey(database: database, key: key)
        if let index = documents.index(forKey: documentKey) {
            documents.values[index].value = value
            documents.values[index].dirty = true
            documents.values[index].changed = true
        } else {
            documents[documentKey] = CachedDocument(value: value, dirty: true, encode: Self.encoder(for: T.self), baseline: nil,
                                                    baselineIsStored: true, changed: true)
        }
    }

    /// The documents of `database` set since the last call (or the batch's start), each with
    /// its value then and now; the next call starts from now.
    ///
    /// For what a projection derives from a document (list entries, counters): maintained once
    /// per batch from the first and last state, not once per event — an order placed, asked
    /// for payment and paid in one batch is listed once, not listed, unlisted and relisted.
    public func takeChanges<T: Codable>(_ type: T.Type, _ database: String) throws -> [(before: T?, after: T?)] {
        var changes: [(before: T?, after: T?)] = []
        var index = documents.startIndex
        while index != documents.endIndex {
            let (key, cached) = documents[index]
            if cached.changed && key.database == database {
                let before = cached.baselineIsStored ? try stored(T.self, database, key.key) : cached.baseline as? T
                changes.append((before, cached.value as? T))
                documents.values[index].baseline = cached.value
                documents.values[index].baselineIsStored = false
                documents.values[index].changed = false
            }
            documents.formIndex(after: &index)
        }
        return changes
    }

    /// Reads, changes and writes back a document (nil when absent: `body` is not called).
    public func update<T: Codable>(_ type: T.Type, _ database: String, _ key: String, _ body: (inout T) throws -> Void) throws {
        guard var value = try document(T.self, database, key) else { return }
        try body(&value)
        setDocument(value, database, key)
    }

    private static func encoder<T: Codable>(for type: T.Type) -> (Any, JSONEncoder) throws -> [UInt8] {
        { value, encoder in
            guard let typed = value as? T else { throw ProjectionError.documentType(String(describing: T.self)) }
            return try DocumentCodec.encode(typed, with: encoder)
        }
    }

    /// Ends the batch: lets the projection finish it, then writes every changed document.
    /// (Order does not matter: LMDB keeps keys sorted, and the digest reads them in key order.)
    func flush(_ projection: any Projection) throws {
        try projection.finishBatch(self)
        for (key, cached) in documents where cached.dirty {
            let db = try database(key.database)
            if let value = cached.value {
                try transaction.put(db, Array(key.key.utf8), try cached.encode(value, encoder))
            } else {
                try transaction.delete(db, Array(key.key.utf8))
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
