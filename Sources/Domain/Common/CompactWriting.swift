import CanonicalJSON

// Hand-written compact forms for the small types a read-model document holds many of
// (`CompactJSONRepresentable`): byte for byte what the synthesized `Encodable` gives through
// `CompactJSONEncoder` — members in declaration order, nil optionals left out — so a document
// skips an encoder object and a container per value. DocumentBytesTests pins the bytes.
//
// An order is written through a `BoundedWriter` (`BoundedCompactJSONRepresentable`): its
// document is re-encoded on every order event. The leaves it shares with other documents
// (times, statuses, sealed fields, specs) write both ways.

extension Timestamp: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        RFC3339.write(millis: millis, into: &out)
        out.append(UInt8(ascii: "\""))
    }

    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.byte(UInt8(ascii: "\""))
        RFC3339.write(millis: millis, into: &out)
        out.byte(UInt8(ascii: "\""))
    }
}

extension OrderStatus: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.writeString(rawValue, into: &out)
    }

    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.string(rawValue)
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

    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("keyId", first: true)
        out.string(keyId)
        out.member("nonce")
        out.string(nonce)
        out.member("ciphertext")
        out.string(ciphertext)
        out.byte(UInt8(ascii: "}"))
    }
}

extension SpecEntry: CompactJSONRepresentable {
    /// Declaration order and canonical order coincide here (`name` < `value`).
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("name", first: true, into: &out)
        CanonicalJSON.writeString(name, into: &out)
        CanonicalJSON.member("value", into: &out)
        CanonicalJSON.writeString(value, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("name", first: true)
        out.string(name)
        out.member("value")
        out.string(value)
        out.byte(UInt8(ascii: "}"))
    }
}

extension OrderLine: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("skuId", first: true)
        out.string(skuId)
        out.member("productId")
        out.string(productId)
        out.member("title")
        out.string(title)
        out.member("specs")
        out.array(specs) { value, out in value.writeCompactJSON(into: &out) }
        out.member("priceCents")
        out.integer(priceCents)
        out.member("quantity")
        out.integer(Int64(quantity))
        out.member("lineTotalCents")
        out.integer(lineTotalCents)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.HistoryEntry: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("status", first: true)
        status.writeCompactJSON(into: &out)
        out.member("at")
        at.writeCompactJSON(into: &out)
        if let reason {
            out.member("reason")
            out.string(reason)
        }
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Payment: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("paymentId", first: true)
        out.string(paymentId)
        out.member("amountCents")
        out.integer(amountCents)
        out.member("nonceStr")
        out.string(nonceStr)
        out.member("timeStamp")
        out.string(timeStamp)
        out.member("expiresAt")
        expiresAt.writeCompactJSON(into: &out)
        if let transactionId {
            out.member("transactionId")
            out.string(transactionId)
        }
        if let paidAt {
            out.member("paidAt")
            out.string(paidAt)
        }
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Shipment: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("carrier", first: true)
        out.string(carrier)
        out.member("trackingNumber")
        out.string(trackingNumber)
        out.member("shippedAt")
        shippedAt.writeCompactJSON(into: &out)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Refund: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        // Every member but `requestedAt` is optional: the first written opens the object.
        var first = true
        func open(_ key: StaticString, into out: inout BoundedWriter) {
            out.member(key, first: first)
            first = false
        }
        if let reason {
            open("reason", into: &out)
            reason.writeCompactJSON(into: &out)
        }
        if let automaticReason {
            open("automaticReason", into: &out)
            out.string(automaticReason)
        }
        open("requestedAt", into: &out)
        requestedAt.writeCompactJSON(into: &out)
        if let fromStatus {
            open("fromStatus", into: &out)
            fromStatus.writeCompactJSON(into: &out)
        }
        if let outcome {
            open("outcome", into: &out)
            out.string(outcome)
        }
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.State: BoundedCompactJSONRepresentable {
    /// The read models' order document body: the largest document written on every order event.
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("exists", first: true)
        out.bool(exists)
        out.member("orderId")
        out.string(orderId)
        out.member("userId")
        out.string(userId)
        out.member("status")
        status.writeCompactJSON(into: &out)
        out.member("lines")
        out.array(lines) { value, out in value.writeCompactJSON(into: &out) }
        out.member("totalCents")
        out.integer(totalCents)
        if let address {
            out.member("address")
            address.writeCompactJSON(into: &out)
        }
        if let note {
            out.member("note")
            note.writeCompactJSON(into: &out)
        }
        out.member("placedAt")
        placedAt.writeCompactJSON(into: &out)
        out.member("payBy")
        payBy.writeCompactJSON(into: &out)
        if let payment {
            out.member("payment")
            payment.writeCompactJSON(into: &out)
        }
        if let shipment {
            out.member("shipment")
            shipment.writeCompactJSON(into: &out)
        }
        if let refund {
            out.member("refund")
            refund.writeCompactJSON(into: &out)
        }
        out.member("history")
        out.array(history) { value, out in value.writeCompactJSON(into: &out) }
        out.byte(UInt8(ascii: "}"))
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
