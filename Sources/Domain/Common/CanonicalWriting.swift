import CanonicalJSON

// Hand-written canonical forms for the payloads the writer encodes on every order (OrderPlaced
// and the stock moves). They must match the generic encoder byte for byte; EventCodecTests
// compare them. Members are written in sorted order; nil optionals are left out.

extension Sealed: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("ciphertext", first: true, into: &out)
        CanonicalJSON.writeString(ciphertext, into: &out)
        CanonicalJSON.member("keyId", into: &out)
        CanonicalJSON.writeString(keyId, into: &out)
        CanonicalJSON.member("nonce", into: &out)
        CanonicalJSON.writeString(nonce, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension SpecEntry: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("name", first: true, into: &out)
        CanonicalJSON.writeString(name, into: &out)
        CanonicalJSON.member("value", into: &out)
        CanonicalJSON.writeString(value, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension OrderLine: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("lineTotalCents", first: true, into: &out)
        CanonicalJSON.writeInteger(lineTotalCents, into: &out)
        CanonicalJSON.member("priceCents", into: &out)
        CanonicalJSON.writeInteger(priceCents, into: &out)
        CanonicalJSON.member("productId", into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        CanonicalJSON.member("quantity", into: &out)
        CanonicalJSON.writeInteger(Int64(quantity), into: &out)
        CanonicalJSON.member("skuId", into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        CanonicalJSON.member("specs", into: &out)
        CanonicalJSON.writeArray(specs, into: &out)
        CanonicalJSON.member("title", into: &out)
        CanonicalJSON.writeString(title, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.Placed: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("address", first: true, into: &out)
        address.writeCanonical(into: &out)
        CanonicalJSON.member("fromCart", into: &out)
        CanonicalJSON.writeBool(fromCart, into: &out)
        CanonicalJSON.member("lines", into: &out)
        CanonicalJSON.writeArray(lines, into: &out)
        if let note {
            CanonicalJSON.member("note", into: &out)
            note.writeCanonical(into: &out)
        }
        CanonicalJSON.member("orderId", into: &out)
        CanonicalJSON.writeString(orderId, into: &out)
        CanonicalJSON.member("payBy", into: &out)
        payBy.writeCompactJSON(into: &out)  // RFC 3339 needs no escaping: the same bytes
        CanonicalJSON.member("placedAt", into: &out)
        placedAt.writeCompactJSON(into: &out)
        CanonicalJSON.member("totalCents", into: &out)
        CanonicalJSON.writeInteger(totalCents, into: &out)
        CanonicalJSON.member("userId", into: &out)
        CanonicalJSON.writeString(userId, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

/// `{"orderId":…,"quantity":…}`, shared by the stock moves that carry just those.
private func writeOrderQuantity(orderId: String, quantity: Int64, into out: inout [UInt8]) {
    CanonicalJSON.member("orderId", first: true, into: &out)
    CanonicalJSON.writeString(orderId, into: &out)
    CanonicalJSON.member("quantity", into: &out)
    CanonicalJSON.writeInteger(quantity, into: &out)
    out.append(UInt8(ascii: "}"))
}

extension Sku.Reserved: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) { writeOrderQuantity(orderId: orderId, quantity: quantity, into: &out) }
}

extension Sku.Sold: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) { writeOrderQuantity(orderId: orderId, quantity: quantity, into: &out) }
}

extension Sku.Released: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("orderId", first: true, into: &out)
        CanonicalJSON.writeString(orderId, into: &out)
        CanonicalJSON.member("quantity", into: &out)
        CanonicalJSON.writeInteger(quantity, into: &out)
        CanonicalJSON.member("reason", into: &out)
        CanonicalJSON.writeString(reason, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

// The rest of an order's life and a cart's change, written by every paid, cancelled or carted
// command of a shop's day: through `Encodable` and a `JSONValue` tree they were 6 % of the
// writer in the realistic mix. Members in canonical (sorted) order; EventCodecTests compares
// each with the generic codec.

extension Order.PaymentRequested: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("amountCents", first: true, into: &out)
        CanonicalJSON.writeInteger(amountCents, into: &out)
        CanonicalJSON.member("expiresAt", into: &out)
        expiresAt.writeCompactJSON(into: &out)  // RFC 3339 needs no escaping: the same bytes
        CanonicalJSON.member("nonceStr", into: &out)
        CanonicalJSON.writeString(nonceStr, into: &out)
        CanonicalJSON.member("paymentId", into: &out)
        CanonicalJSON.writeString(paymentId, into: &out)
        CanonicalJSON.member("timeStamp", into: &out)
        CanonicalJSON.writeString(timeStamp, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.Paid: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("amountCents", first: true, into: &out)
        CanonicalJSON.writeInteger(amountCents, into: &out)
        CanonicalJSON.member("paidAt", into: &out)
        CanonicalJSON.writeString(paidAt, into: &out)
        CanonicalJSON.member("paymentId", into: &out)
        CanonicalJSON.writeString(paymentId, into: &out)
        CanonicalJSON.member("recordedAt", into: &out)
        recordedAt.writeCompactJSON(into: &out)
        CanonicalJSON.member("transactionId", into: &out)
        CanonicalJSON.writeString(transactionId, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Order.Cancelled: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("at", first: true, into: &out)
        at.writeCompactJSON(into: &out)
        CanonicalJSON.member("reason", into: &out)
        CanonicalJSON.writeString(reason, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension Cart.ItemAdded: CanonicalWritable {
    public func writeCanonical(into out: inout [UInt8]) {
        CanonicalJSON.member("quantity", first: true, into: &out)
        CanonicalJSON.writeInteger(Int64(quantity), into: &out)
        CanonicalJSON.member("skuId", into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
