/// A value that writes its own RFC 8785 form without building a `JSONValue` tree.
///
/// For the few hot event payloads the single writer encodes on every order. Each
/// implementation must produce exactly the bytes `CanonicalJSON.serialize(JSONValueEncoder()
/// .encode(value))` produces — members in sorted order, nil optionals left out — which the
/// tests check value by value.
public protocol CanonicalWritable {
    func writeCanonical(into out: inout [UInt8])
}

extension CanonicalJSON {
    /// Writes `,"key":` (or `{"key":` for the first member).
    @inlinable
    public static func member(_ key: StaticString, first: Bool = false, into out: inout [UInt8]) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    public static func writeBool(_ value: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    @inlinable
    public static func writeArray<T: CanonicalWritable>(_ values: [T], into out: inout [UInt8]) {
        writeArray(values, into: &out) { value, out in value.writeCanonical(into: &out) }
    }

    /// `[a,b,…]`, each element written by `element`.
    @inlinable
    public static func writeArray<T, E: Error>(_ values: [T], into out: inout [UInt8], _ element: (T, inout [UInt8]) throws(E) -> Void) throws(E) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            try element(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The canonical bytes of a self-writing value.
    public static func serialize(_ value: some CanonicalWritable) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        value.writeCanonical(into: &out)
        return out
    }
}
