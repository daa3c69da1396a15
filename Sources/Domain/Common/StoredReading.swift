import CanonicalJSON

// Hand-written readers for the payloads a rebuild reads most (an order's placement, payment
// and cancellation, and the stock moves): what their synthesized `Decodable` accepts, without
// a decoder and a container per value — Codable was a third of the rebuild's reading thread.
// They accept exactly what the synthesized form accepts (extra members ignored, a missing or
// null optional is nil, integers only from integers that fit); EventCodecTests compare the two.

/// A stored payload's shape is not what its type reads.
public struct StoredShapeError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let expected: String
    public var description: String { "\(path): expected \(expected)" }
}

/// The members of one stored JSON object, read by name.
struct StoredObject {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(StoredShapeError) {
        guard case .object(let members) = value else { throw StoredShapeError(path: path, expected: "an object") }
        self.members = members
        self.path = path
    }

    private func value(_ key: String) throws(StoredShapeError) -> JSONValue {
        guard let value = members[key] else { throw StoredShapeError(path: path + "." + key, expected: "a value") }
        return value
    }

    func string(_ key: String) throws(StoredShapeError) -> String {
        guard case .string(let string) = try value(key) else { throw StoredShapeError(path: path + "." + key, expected: "a string") }
        return string
    }

    func int64(_ key: String) throws(StoredShapeError) -> Int64 {
        guard case .int(let integer) = try value(key) else { throw StoredShapeError(path: path + "." + key, expected: "an integer") }
        return integer
    }

    func int(_ key: String) throws(StoredShapeError) -> Int {
        guard let integer = Int(exactly: try int64(key)) else { throw StoredShapeError(path: path + "." + key, expected: "an Int") }
        return integer
    }

    func bool(_ key: String) throws(StoredShapeError) -> Bool {
        guard case .bool(let bool) = try value(key) else { throw StoredShapeError(path: path + "." + key, expected: "a boolean") }
        return bool
    }

    func timestamp(_ key: String) throws(StoredShapeError) -> Timestamp {
        guard let time = Timestamp(rfc3339: try string(key)) else { throw StoredShapeError(path: path + "." + key, expected: "an RFC 3339 time") }
        return time
    }

    func object(_ key: String) throws(StoredShapeError) -> StoredObject {
        try StoredObject(try value(key), path: path + "." + key)
    }

    /// nil when the member is missing or null, as `decodeIfPresent` has it.
    func optionalObject(_ key: String) throws(StoredShapeError) -> StoredObject? {
        guard let value = members[key], value != .null else { return nil }
        return try StoredObject(value, path: path + "." + key)
    }

    func objects<T>(_ key: String, _ element: (StoredObject) throws(StoredShapeError) -> T) throws(StoredShapeError) -> [T] {
        guard case .array(let elements) = try value(key) else { throw StoredShapeError(path: path + "." + key, expected: "an array") }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for (index, value) in elements.enumerated() {
            result.append(try element(try StoredObject(value, path: "\(path).\(key)[\(index)]")))
        }
        return result
    }
}

extension Sealed {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(keyId: try object.string("keyId"), nonce: try object.string("nonce"), ciphertext: try object.string("ciphertext"))
    }
}

extension SpecEntry {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(name: try object.string("name"), value: try object.string("value"))
    }
}

extension OrderLine {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(skuId: try object.string("skuId"), productId: try object.string("productId"), title: try object.string("title"),
                  specs: try object.objects("specs") { (entry) throws(StoredShapeError) in try SpecEntry(stored: entry) },
                  priceCents: try object.int64("priceCents"), quantity: try object.int("quantity"),
                  lineTotalCents: try object.int64("lineTotalCents"))
    }
}

extension Order.Placed {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(orderId: try object.string("orderId"), userId: try object.string("userId"),
                  lines: try object.objects("lines") { (line) throws(StoredShapeError) in try OrderLine(stored: line) },
                  totalCents: try object.int64("totalCents"), address: try Sealed(stored: try object.object("address")),
                  note: try object.optionalObject("note").map { (note) throws(StoredShapeError) in try Sealed(stored: note) },
                  placedAt: try object.timestamp("placedAt"), payBy: try object.timestamp("payBy"), fromCart: try object.bool("fromCart"))
    }
}

extension Order.PaymentRequested {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(paymentId: try object.string("paymentId"), amountCents: try object.int64("amountCents"), nonceStr: try object.string("nonceStr"),
                  timeStamp: try object.string("timeStamp"), expiresAt: try object.timestamp("expiresAt"))
    }
}

extension Order.Paid {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(paymentId: try object.string("paymentId"), transactionId: try object.string("transactionId"),
                  amountCents: try object.int64("amountCents"), paidAt: try object.string("paidAt"), recordedAt: try object.timestamp("recordedAt"))
    }
}

extension Order.Cancelled {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(reason: try object.string("reason"), at: try object.timestamp("at"))
    }
}

extension Sku.Reserved {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"))
    }
}

extension Sku.Sold {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"))
    }
}

extension Sku.Released {
    init(stored data: JSONValue) throws(StoredShapeError) {
        let object = try StoredObject(data, path: Self.typeName)
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"), reason: try object.string("reason"))
    }
}
