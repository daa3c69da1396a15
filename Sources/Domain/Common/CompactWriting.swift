import CanonicalJSON

// Hand-written compact forms for the small types a read-model document holds many of
// (`CompactJSONRepresentable`): byte for byte what the synthesized `Encodable` gives through
// `CompactJSONEncoder` — members in declaration order, nil optionals left out — so a document
// skips an encoder object and a container per value. DocumentBytesTests pins the bytes.

extension Timestamp: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        RFC3339.write(millis: millis, into: &out)
        out.append(UInt8(ascii: "\""))
    }
}

extension OrderStatus: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.writeString(rawValue, into: &out)
    }
}

extension Sealed: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("keyId", first: true, into: &out)
        CanonicalJSON.writeString(keyId, into: &out)
        CanonicalJSON.member("nonce", into: &out)
        CanonicalJSON.writeString(nonce, into: &out)
        CanonicalJSON.member("ciphertext", into: &out)
        CanonicalJSON.writeString(ciphertext, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension SpecEntry: CompactJSONRepresentable {
    /// Declaration order and canonical order coincide here (`name` < `value`).
    public func writeCompactJSON(into out: inout [UInt8]) {
        writeCanonical(into: &out)
    }
}

extension OrderLine: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("skuId", first: true, into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        CanonicalJSON.member("productId", into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        CanonicalJSON.member("title", into: &out)
        CanonicalJSON.writeString(title, into: &out)
        CanonicalJSON.member("specs", into: &out)
        out.append(UInt8(ascii: "["))
        for (index, spec) in specs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            spec.writeCompactJSON(into: &out)
        }
        out.append(UInt8(ascii: "]"))
        CanonicalJSON.member("priceCents", into: &out)
        CanonicalJSON.writeInteger(priceCents, into: &out)
        CanonicalJSON.member("quantity", into: &out)
        CanonicalJSON.writeInteger(Int64(quantity), into: &out)
        CanonicalJSON.member("lineTotalCents", into: &out)
        CanonicalJSON.writeInteger(lineTotalCents, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.HistoryEntry: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("status", first: true, into: &out)
        status.writeCompactJSON(into: &out)
        CanonicalJSON.member("at", into: &out)
        at.writeCompactJSON(into: &out)
        if let reason {
            CanonicalJSON.member("reason", into: &out)
            CanonicalJSON.writeString(reason, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
