/// Encodes any `Encodable` into a `JSONValue` tree, without going through bytes.
///
/// Events are encoded with it (then canonicalized by `CanonicalJSON`), so the record's bytes
/// never depend on Foundation's encoder settings. Integers become `.int`; nil optionals are
/// left out, as synthesized `Codable` asks.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let node = EncodingNode()
        try value.encode(to: ValueEncoder(node: node, codingPath: []))
        return node.resolve()
    }
}

/// One node of the tree being encoded. A class so containers can keep filling it in place.
final class EncodingNode {
    enum Kind { case empty, value, object, array }

    var kind: Kind = .empty
    var value: JSONValue = .null
    var members: [String: EncodingNode] = [:]
    var elements: [EncodingNode] = []

    func resolve() -> JSONValue {
        switch kind {
        case .empty: return .object([:])
        case .value: return value
        case .object: return .object(members.mapValues { $0.resolve() })
        case .array: return .array(elements.map { $0.resolve() })
        }
    }

    func child(forKey key: String) -> EncodingNode {
        kind = .object
        if let node = members[key] { return node }
        let node = EncodingNode()
        members[key] = node
        return node
    }

    func appendChild() -> EncodingNode {
        kind = .array
        let node = EncodingNode()
        elements.append(node)
        return node
    }

    func set(_ value: JSONValue) {
        kind = .value
        self.value = value
    }
}

struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.kind != .object { node.kind = .object }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.kind != .array { node.kind = .array }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

/// Converts a primitive to a JSON value, or nil when it is not a primitive.
private func primitive<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSONValue? {
    switch value {
    case let json as JSONValue: return json
    case let s as String: return .string(s)
    case let b as Bool: return .bool(b)
    case let i as Int: return .int(Int64(i))
    case let i as Int64: return .int(i)
    case let i as Int32: return .int(Int64(i))
    case let i as Int16: return .int(Int64(i))
    case let i as Int8: return .int(Int64(i))
    case let u as UInt:
        guard let i = Int64(exactly: u) else { throw overflow(u, path) }
        return .int(i)
    case let u as UInt64:
        guard let i = Int64(exactly: u) else { throw overflow(u, path) }
        return .int(i)
    case let u as UInt32: return .int(Int64(u))
    case let u as UInt16: return .int(Int64(u))
    case let u as UInt8: return .int(Int64(u))
    case let d as Double: return .double(d)
    case let f as Float: return .double(Double(f))
    default: return nil
    }
}

private func overflow(_ value: Any, _ path: [any CodingKey]) -> EncodingError {
    EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "integer does not fit in Int64"))
}

private func encodeAny<T: Encodable>(_ value: T, into node: EncodingNode, path: [any CodingKey]) throws {
    if let json = try primitive(value, path: path) {
        node.set(json)
    } else {
        try value.encode(to: ValueEncoder(node: node, codingPath: path))
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.child(forKey: key.stringValue).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.child(forKey: key.stringValue).set(.string(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.child(forKey: key.stringValue).set(.int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.child(forKey: key.stringValue).set(.int(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeAny(value, into: node.child(forKey: key.stringValue), path: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.elements.count }

    mutating func encodeNil() throws { node.appendChild().set(.null) }
    mutating func encode(_ value: String) throws { node.appendChild().set(.string(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeAny(value, into: node.appendChild(), path: codingPath + [IndexKey(count)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(count)]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(count)]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.appendChild(), codingPath: codingPath)
    }
}

struct SingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeAny(value, into: node, path: codingPath) }
}

struct IndexKey: CodingKey {
    var stringValue: String { "\(index)" }
    var intValue: Int? { index }
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
}
