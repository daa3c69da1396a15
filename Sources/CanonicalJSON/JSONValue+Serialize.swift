extension JSONValue {
    /// Compact JSON bytes. Same as the canonical form, except that non-integer numbers are
    /// allowed (written as Swift prints them): for responses and read models, not for records.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        writeLenient(self, into: &out)
        return out
    }
}

private func writeLenient(_ value: JSONValue, into out: inout [UInt8]) {
    switch value {
    case .double(let d):
        out.append(contentsOf: Array((d.isFinite ? "\(d)" : "null").utf8))
    case .array(let elements):
        CanonicalJSON.writeArray(elements, into: &out, writeLenient)
    case .object(let members):
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.sorted(by: { CanonicalJSON.utf16Precedes($0.key, $1.key) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            writeLenient(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    default:
        // Every other case is canonical already and cannot fail.
        try? CanonicalJSON.write(value, into: &out)
    }
}
