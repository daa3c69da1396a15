import CanonicalJSON

// Hand-written canonical forms for the payloads the writer encodes on every order (OrderPlaced
// and the stock moves). They must match the generic encoder byte for byte; EventCodecTests
// compare them. Members are written in sorted order; nil optionals are left out.

extension Sealed: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("ciphertext", first: true)
        out.string(ciphertext)
        out.member("keyId")
        out.string(keyId)
        out.member("nonce")
        out.string(nonce)
        out.byte(UInt8(ascii: "}"))
    }
}

extension SpecEntry: CanonicalWritable {
    /// Its compact form: declaration order and canonical order coincide (`name` < `value`).
    public func writeCanonical(into out: inout BoundedWriter) {
        writeCompactJSON(into: &out)
    }
}

extension OrderLine: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("lineTotalCents", first: true)
        out.integer(lineTotalCents)
        out.member("priceCents")
        out.integer(priceCents)
        out.member("productId")
        out.string(productId)
        out.member("quantity")
        out.integer(Int64(quantity))
        out.member("skuId")
        out.string(skuId)
        out.member("specs")
        out.array(specs) { value, out in value.writeCanonical(into: &out) }
        out.member("title")
        out.string(title)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Placed: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("address", first: true)
        address.writeCanonical(into: &out)
        out.member("fromCart")
        out.bool(fromCart)
        out.member("lines")
        out.array(lines) { value, out in value.writeCanonical(into: &out) }
        if let note {
            out.member("note")
            note.writeCanonical(into: &out)
        }
        out.member("orderId")
        out.string(orderId)
        out.member("payBy")
        payBy.writeCompactJSON(into: &out)  // RFC 3339 needs no escaping: the same bytes
        out.member("placedAt")
        placedAt.writeCompactJSON(into: &out)
        out.member("totalCents")
        out.integer(totalCents)
        out.member("userId")
        out.string(userId)
        out.byte(UInt8(ascii: "}"))
    }
}

/// `{"orderId":…,"quantity":…}`, shared by the stock moves that carry just those.
private func writeOrderQuantity(orderId: String, quantity: Int64, into out: inout BoundedWriter) {
    out.member("orderId", first: true)
    out.string(orderId)
    out.member("quantity")
    out.integer(quantity)
    out.byte(UInt8(ascii: "}"))
}

extension Sku.Reserved: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) { writeOrderQuantity(orderId: orderId, quantity: quantity, into: &out) }
}

extension Sku.Sold: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) { writeOrderQuantity(orderId: orderId, quantity: quantity, into: &out) }
}

extension Sku.Released: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("orderId", first: true)
        out.string(orderId)
        out.member("quantity")
        out.integer(quantity)
        out.member("reason")
        out.string(reason)
        out.byte(UInt8(ascii: "}"))
    }
}

// The rest of an order's life and a cart's change, written by every paid, cancelled or carted
// command of a shop's day: through `Encodable` and a `JSONValue` tree they were 6 % of the
// writer in the realistic mix. Members in canonical (sorted) order; EventCodecTests compares
// each with the generic codec.

extension Order.PaymentRequested: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("amountCents", first: true)
        out.integer(amountCents)
        out.member("expiresAt")
        expiresAt.writeCompactJSON(into: &out)  // RFC 3339 needs no escaping: the same bytes
        out.member("nonceStr")
        out.string(nonceStr)
        out.member("paymentId")
        out.string(paymentId)
        out.member("timeStamp")
        out.string(timeStamp)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Paid: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("amountCents", first: true)
        out.integer(amountCents)
        out.member("paidAt")
        out.string(paidAt)
        out.member("paymentId")
        out.string(paymentId)
        out.member("recordedAt")
        recordedAt.writeCompactJSON(into: &out)
        out.member("transactionId")
        out.string(transactionId)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Order.Cancelled: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("at", first: true)
        at.writeCompactJSON(into: &out)
        out.member("reason")
        out.string(reason)
        out.byte(UInt8(ascii: "}"))
    }
}

extension Cart.ItemAdded: CanonicalWritable {
    public func writeCanonical(into out: inout BoundedWriter) {
        out.member("quantity", first: true)
        out.integer(Int64(quantity))
        out.member("skuId")
        out.string(skuId)
        out.byte(UInt8(ascii: "}"))
    }
}
