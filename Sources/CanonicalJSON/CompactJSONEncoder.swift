/// Encodes `Encodable` values straight to compact JSON bytes, members in the order the type
/// encodes them (declaration order for synthesized `Codable`) and dictionaries with sorted
/// keys, so the output is deterministic.
///
/// Built for read-model documents, which the projection runner writes for every order:
/// Foundation's encoder was a tenth of the server's CPU. It streams into one buffer instead of
/// building a tree. Types that ask for nested or super containers (none of OrderLog's do) are
/// refused with `Unsupported`, so a caller can fall back to another encoder.
public struct CompactJSONEncoder: Sendable {
    public struct Unsupported: Error {}

    public init() {}

    /// Inlinable, so a caller that knows `T` has the cast below decided when compiling (asked at
    /// run time it is a conformance lookup on every call).
    @inlinable
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // A document that writes itself (the usual case): no writer object. Its
        // `compactJSONBytes` is the bounded writer's when it has one.
        if let direct = T.self as? any CompactJSONRepresentable.Type {
            return try Self.compactJSONBytes(of: value, as: direct)
        }
        return try encodeThroughEncodable(value)
    }

    @usableFromInline
    func encodeThroughEncodable<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = Writer()
        try writer.value(value)
        return writer.out
    }

    /// `value`'s own bytes, `D` being `T` itself. The metatype is cast (a conformance lookup
    /// the runtime caches), not the value: `value as? any CompactJSONRepresentable` copied the
    /// whole document into an existential box first — with the lookup, ~15 % of the read-model
    /// writer's thread under HTTP orders. (A value typed as an existential is not looked into
    /// any more: it takes the `Encodable` path, which writes the same bytes, only slower.)
    @inlinable
    public static func compactJSONBytes<T, D: CompactJSONRepresentable>(of value: borrowing T, as _: D.Type) throws -> [UInt8] {
        try withUnsafePointer(to: value) { pointer in
            try UnsafeRawPointer(pointer).assumingMemoryBound(to: D.self).pointee.compactJSONBytes()
        }
    }

    static func writeCompactJSON<T, D: CompactJSONRepresentable>(of value: borrowing T, as _: D.Type, into out: inout [UInt8]) throws {
        try withUnsafePointer(to: value) { pointer in
            try UnsafeRawPointer(pointer).assumingMemoryBound(to: D.self).pointee.writeCompactJSON(into: &out)
        }
    }
}

private final class Writer {
    var out: [UInt8] = []

    init() {
        out.reserveCapacity(512)
    }

    func value<T: Encodable>(_ value: T) throws {
        // Most values are structs (the default case) or strings and integers. Comparing
        // metatypes costs nothing; a chain of failing `as?` casts per value (one of them to a
        // generic dictionary type) was a third of the read-model writer's time.
        // The `as?` below runs only where the metatype already matched, so it always succeeds.
        if T.self == String.self, let string = value as? String {
            CanonicalJSON.writeString(string, into: &out)
        } else if T.self == Int.self, let int = value as? Int {
            CanonicalJSON.writeInteger(Int64(int), into: &out)
        } else if T.self == Int64.self, let int = value as? Int64 {
            CanonicalJSON.writeInteger(int, into: &out)
        } else if T.self == Bool.self, let bool = value as? Bool {
            CanonicalJSON.writeBool(bool, into: &out)
        } else if let direct = T.self as? any CompactJSONRepresentable.Type {
            try CompactJSONEncoder.writeCompactJSON(of: value, as: direct, into: &out)
        } else {
            let encoder = StreamEncoder(writer: self)
            try value.encode(to: encoder)
            try encoder.finish()
        }
    }
}

/// A value that writes its own compact JSON — byte for byte what its `Encodable` conformance
/// gives through `CompactJSONEncoder` — so the encoder skips the Codable machinery (an encoder
/// and a container object per value) for it. For small leaf types written many times per
/// document: timestamps, sealed fields, enums.
public protocol CompactJSONRepresentable: Encodable {
    func writeCompactJSON(into out: inout [UInt8]) throws

    /// The value's compact JSON as a new array (`CompactJSONEncoder.encode` of it).
    func compactJSONBytes() throws -> [UInt8]
}

extension CompactJSONRepresentable {
    public func compactJSONBytes() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try writeCompactJSON(into: &out)
        return out
    }
}

// The rarer scalars, raw JSON, and string-keyed dictionaries (whose own conformance would
// emit keys in hash order — the digest of a rebuilt read model must not depend on a hash seed).

extension UInt64: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) throws { out.append(contentsOf: String(self).utf8) }
}

extension UInt8: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) throws { CanonicalJSON.writeInteger(Int64(self), into: &out) }
}

extension Int32: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) throws { CanonicalJSON.writeInteger(Int64(self), into: &out) }
}

extension Double: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) throws { out.append(contentsOf: (isFinite ? "\(self)" : "null").utf8) }
}

extension JSONValue: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) throws { out.append(contentsOf: serialized()) }
}

extension Dictionary: CompactJSONRepresentable where Key == String, Value: Encodable {
    public func writeCompactJSON(into out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "{"))
        for (index, key) in keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            if let member = self[key] { out.append(contentsOf: try CompactJSONEncoder().encode(member)) }
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// The encoder for one value: remembers which container it opened so `finish` can close it.
private final class StreamEncoder: Encoder {
    enum Kind { case none, keyed, unkeyed, single }

    let writer: Writer
    var kind = Kind.none
    var count = 0
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: Writer) {
        self.writer = writer
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if kind == .none {
            kind = .keyed
            writer.out.append(UInt8(ascii: "{"))
        }
        return KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if kind == .none {
            kind = .unkeyed
            writer.out.append(UInt8(ascii: "["))
        }
        return Unkeyed(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if kind == .none { kind = .single }
        return Single(encoder: self)
    }

    /// Writes the separator before the next member or element.
    func separate() {
        if count > 0 { writer.out.append(UInt8(ascii: ",")) }
        count += 1
    }

    func key(_ key: String) {
        separate()
        CanonicalJSON.writeString(key, into: &writer.out)
        writer.out.append(UInt8(ascii: ":"))
    }

    func finish() throws {
        switch kind {
        case .none: writer.out.append(contentsOf: "{}".utf8)
        case .keyed: writer.out.append(UInt8(ascii: "}"))
        case .unkeyed: writer.out.append(UInt8(ascii: "]"))
        case .single: if count == 0 { writer.out.append(contentsOf: "null".utf8) }
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: StreamEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {
            encoder.key(key.stringValue)
            encoder.writer.out.append(contentsOf: "null".utf8)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            encoder.key(key.stringValue)
            try encoder.writer.value(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>())
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
        mutating func superEncoder() -> any Encoder { RefusingEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { RefusingEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: StreamEncoder
        var codingPath: [any CodingKey] { [] }
        var count: Int { encoder.count }

        mutating func encodeNil() throws {
            encoder.separate()
            encoder.writer.out.append(contentsOf: "null".utf8)
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.separate()
            try encoder.writer.value(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>())
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
        mutating func superEncoder() -> any Encoder { RefusingEncoder() }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: StreamEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws {
            encoder.count += 1
            encoder.writer.out.append(contentsOf: "null".utf8)
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.count += 1
            try encoder.writer.value(value)
        }
    }
}

/// Stands in for containers the streaming encoder cannot place; every write throws.
private struct Refusing<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws { throw CompactJSONEncoder.Unsupported() }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw CompactJSONEncoder.Unsupported() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(Refusing<NestedKey>())
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    mutating func superEncoder() -> any Encoder { RefusingEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { RefusingEncoder() }
}

private struct RefusingUnkeyed: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws { throw CompactJSONEncoder.Unsupported() }
    mutating func encode<T: Encodable>(_ value: T) throws { throw CompactJSONEncoder.Unsupported() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(Refusing<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    mutating func superEncoder() -> any Encoder { RefusingEncoder() }
}

private struct RefusingEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { KeyedEncodingContainer(Refusing<Key>()) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { RefusingSingle() }
}

private struct RefusingSingle: SingleValueEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { throw CompactJSONEncoder.Unsupported() }
    mutating func encode<T: Encodable>(_ value: T) throws { throw CompactJSONEncoder.Unsupported() }
}
