import CanonicalJSON

// A hand-written reader of a stored order state — the body of the read models' order
// document — in place from its bytes: decoding it through Foundation's `JSONDecoder` was a
// sixth of a rebuild's applying thread (every order paid or cancelled in a later batch than it
// was placed in is read back), and it is what `GET /v1/orders/{id}` reads. It accepts what the
// synthesized `Decodable` accepts for what `writeCompactJSON` writes (every non-optional member
// required, a missing or null optional nil, extra members ignored); callers fall back to the
// synthesized form for anything it refuses, and OrderStateReadingTests compare the two.

extension Order.State {
    /// Reads the state `writeCompactJSON` wrote (`object` is that object).
    public init(stored object: StoredObject) throws(StoredShapeError) {
        self.init()
        exists = try object.bool("exists")
        orderId = try object.string("orderId")
        userId = try object.string("userId")
        status = try object.rawValue("status", as: OrderStatus.self)
        lines = try object.objects("lines") { (line) throws(StoredShapeError) in try OrderLine(stored: line) }
        totalCents = try object.int64("totalCents")
        address = try object.optionalObject("address").map { (sealed) throws(StoredShapeError) in try Sealed(stored: sealed) }
        note = try object.optionalObject("note").map { (sealed) throws(StoredShapeError) in try Sealed(stored: sealed) }
        placedAt = try object.timestamp("placedAt")
        payBy = try object.timestamp("payBy")
        payment = try object.optionalObject("payment").map { (payment) throws(StoredShapeError) in try Order.Payment(stored: payment) }
        shipment = try object.optionalObject("shipment").map { (shipment) throws(StoredShapeError) in try Order.Shipment(stored: shipment) }
        refund = try object.optionalObject("refund").map { (refund) throws(StoredShapeError) in try Order.Refund(stored: refund) }
        history = try object.objects("history") { (entry) throws(StoredShapeError) in try Order.HistoryEntry(stored: entry) }
    }
}

extension Order.HistoryEntry {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(status: try object.rawValue("status", as: OrderStatus.self), at: try object.timestamp("at"), reason: try object.optionalString("reason"))
    }
}

extension Order.Payment {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(paymentId: try object.string("paymentId"), amountCents: try object.int64("amountCents"), nonceStr: try object.string("nonceStr"),
                  timeStamp: try object.string("timeStamp"), expiresAt: try object.timestamp("expiresAt"),
                  transactionId: try object.optionalString("transactionId"), paidAt: try object.optionalString("paidAt"))
    }
}

extension Order.Shipment {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(carrier: try object.string("carrier"), trackingNumber: try object.string("trackingNumber"), shippedAt: try object.timestamp("shippedAt"))
    }
}

extension Order.Refund {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(reason: try object.optionalObject("reason").map { (sealed) throws(StoredShapeError) in try Sealed(stored: sealed) },
                  automaticReason: try object.optionalString("automaticReason"), requestedAt: try object.timestamp("requestedAt"),
                  fromStatus: try object.optionalRawValue("fromStatus", as: OrderStatus.self),
                  outcome: try object.optionalString("outcome"))
    }
}

extension ShippingAddress {
    /// Reads the address an order seals (the JSON `PersonalDataVault` writes before sealing):
    /// every order detail opens one, and the general decoder (a tree, then `Decodable`) was a
    /// tenth of that request.
    public init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(name: try object.string("name"), phone: try object.string("phone"), line1: try object.string("line1"),
                  city: try object.string("city"), postalCode: try object.optionalString("postalCode"))
    }
}
