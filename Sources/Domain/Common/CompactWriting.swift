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
        CanonicalJSON.writeArray(specs, into: &out) { value, out in value.writeCompactJSON(into: &out) }
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

extension Order.Payment: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("paymentId", first: true, into: &out)
        CanonicalJSON.writeString(paymentId, into: &out)
        CanonicalJSON.member("amountCents", into: &out)
        CanonicalJSON.writeInteger(amountCents, into: &out)
        CanonicalJSON.member("nonceStr", into: &out)
        CanonicalJSON.writeString(nonceStr, into: &out)
        CanonicalJSON.member("timeStamp", into: &out)
        CanonicalJSON.writeString(timeStamp, into: &out)
        CanonicalJSON.member("expiresAt", into: &out)
        expiresAt.writeCompactJSON(into: &out)
        if let transactionId {
            CanonicalJSON.member("transactionId", into: &out)
            CanonicalJSON.writeString(transactionId, into: &out)
        }
        if let paidAt {
            CanonicalJSON.member("paidAt", into: &out)
            CanonicalJSON.writeString(paidAt, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.Shipment: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("carrier", first: true, into: &out)
        CanonicalJSON.writeString(carrier, into: &out)
        CanonicalJSON.member("trackingNumber", into: &out)
        CanonicalJSON.writeString(trackingNumber, into: &out)
        CanonicalJSON.member("shippedAt", into: &out)
        shippedAt.writeCompactJSON(into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.Refund: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        // Every member but `requestedAt` is optional: the first written opens the object.
        var first = true
        func open(_ key: StaticString, into out: inout [UInt8]) {
            CanonicalJSON.member(key, first: first, into: &out)
            first = false
        }
        if let reason {
            open("reason", into: &out)
            reason.writeCompactJSON(into: &out)
        }
        if let automaticReason {
            open("automaticReason", into: &out)
            CanonicalJSON.writeString(automaticReason, into: &out)
        }
        open("requestedAt", into: &out)
        requestedAt.writeCompactJSON(into: &out)
        if let fromStatus {
            open("fromStatus", into: &out)
            fromStatus.writeCompactJSON(into: &out)
        }
        if let outcome {
            open("outcome", into: &out)
            CanonicalJSON.writeString(outcome, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.State: CompactJSONRepresentable {
    /// The read models' order document body: the largest document written on every order event.
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("exists", first: true, into: &out)
        CanonicalJSON.writeBool(exists, into: &out)
        CanonicalJSON.member("orderId", into: &out)
        CanonicalJSON.writeString(orderId, into: &out)
        CanonicalJSON.member("userId", into: &out)
        CanonicalJSON.writeString(userId, into: &out)
        CanonicalJSON.member("status", into: &out)
        status.writeCompactJSON(into: &out)
        CanonicalJSON.member("lines", into: &out)
        CanonicalJSON.writeArray(lines, into: &out) { value, out in value.writeCompactJSON(into: &out) }
        CanonicalJSON.member("totalCents", into: &out)
        CanonicalJSON.writeInteger(totalCents, into: &out)
        if let address {
            CanonicalJSON.member("address", into: &out)
            address.writeCompactJSON(into: &out)
        }
        if let note {
            CanonicalJSON.member("note", into: &out)
            note.writeCompactJSON(into: &out)
        }
        CanonicalJSON.member("placedAt", into: &out)
        placedAt.writeCompactJSON(into: &out)
        CanonicalJSON.member("payBy", into: &out)
        payBy.writeCompactJSON(into: &out)
        if let payment {
            CanonicalJSON.member("payment", into: &out)
            payment.writeCompactJSON(into: &out)
        }
        if let shipment {
            CanonicalJSON.member("shipment", into: &out)
            shipment.writeCompactJSON(into: &out)
        }
        if let refund {
            CanonicalJSON.member("refund", into: &out)
            refund.writeCompactJSON(into: &out)
        }
        CanonicalJSON.member("history", into: &out)
        CanonicalJSON.writeArray(history, into: &out) { value, out in value.writeCompactJSON(into: &out) }
        out.append(UInt8(ascii: "}"))
    }
}

extension ShippingAddress: CompactJSONRepresentable {
    /// Sealed on every order placed (the plaintext is this JSON).
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("name", first: true, into: &out)
        CanonicalJSON.writeString(name, into: &out)
        CanonicalJSON.member("phone", into: &out)
        CanonicalJSON.writeString(phone, into: &out)
        CanonicalJSON.member("line1", into: &out)
        CanonicalJSON.writeString(line1, into: &out)
        CanonicalJSON.member("city", into: &out)
        CanonicalJSON.writeString(city, into: &out)
        if let postalCode {
            CanonicalJSON.member("postalCode", into: &out)
            CanonicalJSON.writeString(postalCode, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Cart.State: CompactJSONRepresentable {
    /// Re-encoded in its read-model document on every cart change.
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("lines", first: true, into: &out)
        CanonicalJSON.writeArray(lines, into: &out) { line, out in
            CanonicalJSON.member("skuId", first: true, into: &out)
            CanonicalJSON.writeString(line.skuId, into: &out)
            CanonicalJSON.member("quantity", into: &out)
            CanonicalJSON.writeInteger(Int64(line.quantity), into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
