import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import Synchronization

/// Seals and opens personal data with a per-user AES-256-GCM key (crypto-shredding).
///
/// Data keys live in the log environment's `keys` side table — not hash-chained, backed up
/// with the log — wrapped (AES-256-GCM) by a master key kept outside it (`master.key` in the
/// data directory, or `ORDERLOG_MASTER_KEY`). Erasing a person deletes their keys in the same
/// transaction as the erasure event: every sealed value of theirs, in events, read models and
/// remembered responses, becomes unreadable at once and shows as `"[erased]"`.
public final class PersonalDataVault: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case wrongMasterKey
        case missingMasterKey(path: String)
        case malformedMasterKey
        case noKey(userId: String)

        public var description: String {
            switch self {
            case .wrongMasterKey:
                "the master key does not open this data directory's key store (wrong ORDERLOG_MASTER_KEY or master.key?)"
            case .missingMasterKey(let path):
                "the key store holds data keys but no master key was found (\(path) or ORDERLOG_MASTER_KEY); refusing to start"
            case .malformedMasterKey:
                "the master key must be 32 bytes as 64 hex digits or base64"
            case .noKey(let userId):
                "no personal-data key for user \(userId) (erased?)"
            }
        }
    }

    private let store: EventStore
    private let masterKey: [UInt8]
    private let lookupSecret: HMACSHA256.Key
    /// Unwrapped data keys, most recently used kept (bounded: one unwrap to reload one).
    private let cache = Mutex(LRUCache<String, [UInt8]>(capacity: 100_000))
    private static let checkKey = Array("master-key-check".utf8)
    private static let checkText = Array("orderlog personal-data vault".utf8)
    private static let lookupKeyName = Array("lookup-key".utf8)

    /// Opens the vault on `store`, checking (or, on a new key store, recording) that
    /// `masterKey` is the one the key store was made with.
    public init(store: EventStore, masterKey: [UInt8]) async throws {
        guard masterKey.count == AESGCM.keyByteCount else { throw Failure.malformedMasterKey }
        self.store = store
        self.masterKey = masterKey
        if let recorded = try Self.recordedLookupSecret(in: store, masterKey: masterKey) {
            lookupSecret = HMACSHA256.Key(recorded)
        } else {
            let lookup = try SecureRandom.bytes(32)
            let check = try Self.wrap(Self.checkText, key: masterKey, label: Self.checkKey)
            let wrappedLookup = try Self.wrap(lookup, key: masterKey, label: Self.lookupKeyName)
            _ = try await store.submit { _ in
                Decision(plan: WritePlan(sideTableWrites: [
                    SideTableWrite(table: SideTables.vault, key: Self.checkKey, operation: .put(check)),
                    SideTableWrite(table: SideTables.vault, key: Self.lookupKeyName, operation: .put(wrappedLookup)),
                ]), staged: { _ in })
            }
            lookupSecret = HMACSHA256.Key(lookup)
        }
    }

    /// A read-only vault for tools (nothing is written; a key store never set up opens nothing).
    public init(readOnlyStore store: EventStore, masterKey: [UInt8]) throws {
        guard masterKey.count == AESGCM.keyByteCount else { throw Failure.malformedMasterKey }
        self.store = store
        self.masterKey = masterKey
        lookupSecret = HMACSHA256.Key(try Self.recordedLookupSecret(in: store, masterKey: masterKey) ?? [])
    }

    /// The lookup secret the key store recorded, unwrapped with `masterKey` (nil when the key
    /// store was never set up); throws `wrongMasterKey` when `masterKey` is not the one it was
    /// made with.
    private static func recordedLookupSecret(in store: EventStore, masterKey: [UInt8]) throws -> [UInt8]? {
        guard let check = try store.sideTableValue(SideTables.vault, key: checkKey) else { return nil }
        guard let opened = try? unwrap(check, key: masterKey, label: checkKey), opened == checkText,
              let wrappedLookup = try store.sideTableValue(SideTables.vault, key: lookupKeyName),
              let lookup = try? unwrap(wrappedLookup, key: masterKey, label: lookupKeyName)
        else { throw Failure.wrongMasterKey }
        return lookup
    }

    /// The keyed hash (HMAC-SHA256 under a secret kept in the key store) that names a personal
    /// identifier's stream — a lowercased username, a WeChat openid — without revealing it.
    public func lookupKey(_ identifier: String) -> String {
        Hex.encode(lookupSecret.authenticate(identifier))
    }

    /// Side tables the log must be opened with for the vault (and the processor) to work.
    public static var sideTables: [String] { SideTables.all }

    // MARK: Master key

    /// The master key from `ORDERLOG_MASTER_KEY` (64 hex digits or base64), else from
    /// `<dataDirectory>/master.key`, created (mode 0600) only when the key store is empty.
    public static func masterKey(dataDirectory: String, environmentValue: String?, keyStoreIsEmpty: Bool) throws -> [UInt8] {
        if let value = environmentValue?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            return try parseMasterKey(value)
        }
        let path = dataDirectory + "/master.key"
        if let contents = try? String(contentsOfFile: path, encoding: .utf8) {
            return try parseMasterKey(contents.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard keyStoreIsEmpty else { throw Failure.missingMasterKey(path: path) }
        let key = try SecureRandom.bytes(AESGCM.keyByteCount)
        let created = FileManager.default.createFile(atPath: path, contents: Data((Hex.encode(key) + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw Failure.missingMasterKey(path: path) }
        return key
    }

    static func parseMasterKey(_ text: String) throws -> [UInt8] {
        if text.count == 64, let bytes = Hex.decode(text) { return bytes }
        if let data = Data(base64Encoded: text), data.count == AESGCM.keyByteCount { return [UInt8](data) }
        throw Failure.malformedMasterKey
    }

    // MARK: Data keys

    public static func keyId(for userId: String) -> String { userId + "/1" }

    /// A fresh data key for a new user and the side-table write that stores it (wrapped).
    public func newDataKey(for userId: String) throws -> (keyId: String, key: [UInt8], write: SideTableWrite) {
        let keyId = Self.keyId(for: userId)
        let key = try SecureRandom.bytes(AESGCM.keyByteCount)
        let wrapped = try Self.wrap(key, key: masterKey, label: Array(keyId.utf8))
        cache.withLock { $0.set(keyId, key) }
        return (keyId, key, SideTableWrite(table: SideTables.keys, key: Array(keyId.utf8), operation: .put(wrapped)))
    }

    private func dataKey(_ keyId: String) throws -> [UInt8]? {
        if let key = cache.withLock({ $0.get(keyId) }) { return key }
        guard let wrapped = try store.sideTableValue(SideTables.keys, key: Array(keyId.utf8)) else { return nil }
        let key = try Self.unwrap(wrapped, key: masterKey, label: Array(keyId.utf8))
        cache.withLock { $0.set(keyId, key) }
        return key
    }

    /// Drops an erased user's keys from memory (they are already gone from disk).
    public func forget(userId: String) {
        let prefix = userId + "/"
        cache.withLock { cache in
            cache.removeAll { $0.hasPrefix(prefix) }
        }
    }

    // MARK: Sealing

    public func seal(_ text: String, for userId: String) throws -> Sealed {
        let (keyId, key) = try currentKey(for: userId)
        return try seal(text, keyId: keyId, key: key)
    }

    /// The user's data key and its id; `noKey` when the user has none (never registered, or erased).
    private func currentKey(for userId: String) throws -> (keyId: String, key: [UInt8]) {
        let keyId = Self.keyId(for: userId)
        guard let key = try dataKey(keyId) else { throw Failure.noKey(userId: userId) }
        return (keyId, key)
    }

    public func seal(_ text: String, keyId: String, key: [UInt8]) throws -> Sealed {
        try seal(bytes: Array(text.utf8), keyId: keyId, key: key)
    }

    private func seal(bytes: [UInt8], keyId: String, key: [UInt8]) throws -> Sealed {
        let nonce = try SecureRandom.pooledBytes(AESGCM.nonceByteCount)
        let ciphertext = try AESGCM.seal(bytes, key: key, nonce: nonce, associatedData: Array(keyId.utf8))
        return Sealed(keyId: keyId, nonce: Base64URL.encode(nonce), ciphertext: Base64URL.encode(ciphertext))
    }

    /// The clear text, or `"[erased]"` once the owner's key is destroyed.
    public func open(_ sealed: Sealed) -> String {
        guard let plain = openBytes(sealed) else { return Sealed.erasedText }
        return String(decoding: plain, as: UTF8.self)
    }

    /// The clear bytes; nil once the owner's key is destroyed (or the seal does not open).
    private func openBytes(_ sealed: Sealed) -> [UInt8]? {
        guard let key = try? dataKey(sealed.keyId), let nonce = Base64URL.decode(sealed.nonce),
              let ciphertext = Base64URL.decode(sealed.ciphertext)
        else { return nil }
        return try? AESGCM.open(ciphertext, key: key, nonce: nonce, associatedData: Array(sealed.keyId.utf8))
    }

    public func open(_ sealed: Sealed?) -> String? {
        sealed.map { open($0) }
    }

    // MARK: Structured values

    /// Seals a whole value (an address) as the JSON of it. Every order seals one in its
    /// request task, so it is written straight to bytes (members in declaration order — the
    /// reader does not care about order) instead of through a `JSONValue` tree.
    public func seal<T: Encodable>(value: T, keyId: String, key: [UInt8]) throws -> Sealed {
        try seal(bytes: Self.json(value), keyId: keyId, key: key)
    }

    public func seal<T: Encodable>(value: T, for userId: String) throws -> Sealed {
        let (keyId, key) = try currentKey(for: userId)
        return try seal(bytes: Self.json(value), keyId: keyId, key: key)
    }

    /// A value that writes its own JSON (an order's address) skips the encoder: no encoder
    /// object, no dynamic cast per value.
    public func seal<T: CompactJSONRepresentable>(value: T, for userId: String) throws -> Sealed {
        let (keyId, key) = try currentKey(for: userId)
        var plain: [UInt8] = []
        plain.reserveCapacity(256)
        try value.writeCompactJSON(into: &plain)
        return try seal(bytes: plain, keyId: keyId, key: key)
    }

    private static func json<T: Encodable>(_ value: T) throws -> [UInt8] {
        do {
            return try CompactJSONEncoder().encode(value)
        } catch is CompactJSONEncoder.Unsupported {
            return try JSONValueEncoder().encode(value).serialized()
        }
    }

    /// The address in the clear, or every field `"[erased]"`.
    public func openAddress(_ sealed: Sealed) -> ShippingAddress {
        guard let plain = openBytes(sealed) else { return .erased }
        // Read in place; the synthesized decoder decides whatever the reader refuses.
        if let address = plain.withUnsafeBytes({ try? ShippingAddress(stored: StoredObject($0, path: "address")) }) { return address }
        return (try? JSONValueDecoder().decode(ShippingAddress.self, from: plain)) ?? .erased
    }

    // MARK: Wrapping

    static func wrap(_ plain: [UInt8], key: [UInt8], label: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.pooledBytes(AESGCM.nonceByteCount)
        return nonce + (try AESGCM.seal(plain, key: key, nonce: nonce, associatedData: label))
    }

    static func unwrap(_ wrapped: [UInt8], key: [UInt8], label: [UInt8]) throws -> [UInt8] {
        guard wrapped.count > AESGCM.nonceByteCount else { throw Failure.wrongMasterKey }
        return try AESGCM.open(Array(wrapped[AESGCM.nonceByteCount...]), key: key, nonce: Array(wrapped[..<AESGCM.nonceByteCount]),
                               associatedData: label)
    }
}
