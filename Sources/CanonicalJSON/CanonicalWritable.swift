/// A value that writes its own RFC 8785 form without building a `JSONValue` tree.
///
/// For the few hot event payloads the single writer encodes on every order. Each
/// implementation must produce exactly the bytes `CanonicalJSON.serialize(JSONValueEncoder()
/// .encode(value))` produces — members in sorted order, nil optionals left out — which the
/// tests check value by value. Written through a `BoundedWriter` (into the array `serialize`
/// returns): appended piece by piece to an array, an order's two events (placed, reserved)
/// cost the writer ~10,750 instructions, through it ~6,650 (callgrind, 2026-11-28).
public protocol CanonicalWritable {
    func writeCanonical(into out: inout BoundedWriter)
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

    /// The canonical bytes of a self-writing value: room for an order placed with a few lines
    /// at the first try (~530 bytes with one), more only for a larger one.
    @inlinable
    public static func serialize(_ value: some CanonicalWritable) -> [UInt8] {
        BoundedWriter.bytes(sizeHint: 1024) { value.writeCanonical(into: &$0) }
    }
}
