import CanonicalJSON
import Domain

/// A document read in place by a hand-written reader, for the documents read most (an order's
/// on every event of a rebuild; a cart and its skus on every `GET /v1/cart`): Foundation's
/// `JSONDecoder` builds a container per value. The reader must accept what the synthesized
/// `Decodable` accepts for what the encoder writes, and may refuse anything else — the decoder
/// then has the last word (`DocumentCodec.decode`).
public protocol StoredDocumentReadable {
    static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self
}

/// A stored document's members by name, for those readers: every value checked as the
/// synthesized decoder would (a required member missing or of another type throws; an optional
/// one missing or null is nil).
struct StoredMembers {
    let view: JSONObjectView
    let path: String

    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        view = try JSONObjectView(bytes)
        self.path = path
    }

    private func refuse(_ name: StaticString, _ expected: String) -> StoredShapeError {
        StoredShapeError(path: "\(path).\(name)", expected: expected)
    }

    func string(_ name: StaticString) throws -> String {
        guard let value = try view.value(name)?.string() else { throw refuse(name, "a string") }
        return value
    }

    func int64(_ name: StaticString) throws -> Int64 {
        guard let value = try view.value(name)?.int64() else { throw refuse(name, "an integer") }
        return value
    }

    func uint64(_ name: StaticString) throws -> UInt64 {
        guard let value = try view.value(name)?.int64().flatMap(UInt64.init(exactly:)) else { throw refuse(name, "a non-negative integer") }
        return value
    }

    /// nil when missing or null, as `decodeIfPresent` has it.
    func optionalInt(_ name: StaticString) throws -> Int? {
        guard let slice = view.value(name), !slice.isNull else { return nil }
        guard let value = try slice.int64().flatMap(Int.init(exactly:)) else { throw refuse(name, "an integer") }
        return value
    }

    func object(_ name: StaticString) throws -> JSONObjectView {
        guard let value = try view.value(name)?.object() else { throw refuse(name, "an object") }
        return value
    }

    /// An object of strings (a sku's specs).
    func strings(_ name: StaticString) throws -> [String: String] {
        guard let slice = view.value(name), case .object(let members) = try slice.value() else { throw refuse(name, "an object") }
        var strings: [String: String] = [:]
        strings.reserveCapacity(members.count)
        for (key, value) in members {
            guard case .string(let string) = value else { throw refuse(name, "strings") }
            strings[key] = string
        }
        return strings
    }
}
