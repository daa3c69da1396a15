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

    public init(path: String, expected: String) {
        self.path = path
        self.expected = expected
    }

    public var description: String { "\(path): expected \(expected)" }
}

/// The members of one stored JSON object, read by name: from a parsed tree, or in place from
/// the stored bytes (`JSONObjectView`, what a rebuild reads; no tree, no dictionary). Events
/// are read with it here, and the read models' most-read documents in Projections.
public struct StoredObject {
    private enum Members {
        case tree([String: JSONValue])
        case view(JSONObjectView)
    }

    private let members: Members
    /// Where this object sits, for errors only: its container's path and its own member name.
    /// Kept in two parts and joined only when asked: building the path of every nested object
    /// (an order's address, each line) was a string formatted per object on a rebuild's
    /// reading thread, for errors that almost never happen. An array's elements start from an
    /// empty path and `objects` puts their place in front of their errors.
    private let base: String
    private let key: StaticString?

    /// The path errors name, as `OrderPlaced.lines[0].specs[0].value` has it.
    public var path: String { key.map { Self.join(base, "\($0)") } ?? base }

    init(_ value: JSONValue, path: String) throws(StoredShapeError) {
        guard case .object(let members) = value else { throw StoredShapeError(path: path, expected: "an object") }
        self.init(members: .tree(members), base: path, key: nil)
    }

    public init(_ view: JSONObjectView, path: String) {
        self.init(members: .view(view), base: path, key: nil)
    }

    private init(members: Members, base: String, key: StaticString?) {
        self.members = members
        self.base = base
        self.key = key
    }

    private static func join(_ path: String, _ segment: String) -> String {
        path.isEmpty ? segment : "\(path).\(segment)"
    }

    /// The object `bytes` hold, read in place.
    public init(_ bytes: UnsafeRawBufferPointer, path: String) throws(StoredShapeError) {
        do {
            self.init(try JSONObjectView(bytes), path: path)
        } catch {
            throw StoredShapeError(path: path, expected: "a valid object (\(error.reason))")
        }
    }

    /// One member's value, whichever the backing.
    private enum Member {
        case tree(JSONValue)
        case view(JSONObjectView.Slice)
    }

    private func member(_ key: StaticString) -> Member? {
        switch members {
        case .tree(let tree): tree[key.description].map(Member.tree)
        case .view(let view): view.value(key).map(Member.view)
        }
    }

    /// Missing or null: what `decodeIfPresent` reads as nil.
    private func isAbsent(_ key: StaticString) -> Bool {
        switch member(key) {
        case nil: true
        case .tree(let value): value == .null
        case .view(let slice): slice.isNull
        }
    }

    private func mismatch(_ key: StaticString, _ expected: String) -> StoredShapeError {
        StoredShapeError(path: Self.join(path, "\(key)"), expected: expected)
    }

    private func value(_ key: StaticString) throws(StoredShapeError) -> Member {
        guard let member = member(key) else { throw mismatch(key, "a value") }
        return member
    }

    public func string(_ key: StaticString) throws(StoredShapeError) -> String {
        try string(try value(key), key)
    }

    /// `member` (found under `key`) as a string.
    private func string(_ member: Member, _ key: StaticString) throws(StoredShapeError) -> String {
        let string: String?
        switch member {
        case .tree(let value): string = value.stringValue
        case .view(let slice):
            do { string = try slice.string() } catch { throw mismatch(key, "a valid string (\(error.reason))") }
        }
        guard let string else { throw mismatch(key, "a string") }
        return string
    }

    public func int64(_ key: StaticString) throws(StoredShapeError) -> Int64 {
        let integer: Int64?
        switch try value(key) {
        case .tree(let value):
            if case .int(let stored) = value { integer = stored } else { integer = nil }
        case .view(let slice):
            do { integer = try slice.int64() } catch { throw mismatch(key, "a valid number (\(error.reason))") }
        }
        guard let integer else { throw mismatch(key, "an integer") }
        return integer
    }

    public func int(_ key: StaticString) throws(StoredShapeError) -> Int {
        guard let integer = Int(exactly: try int64(key)) else { throw mismatch(key, "an Int") }
        return integer
    }

    public func uint64(_ key: StaticString) throws(StoredShapeError) -> UInt64 {
        guard let integer = UInt64(exactly: try int64(key)) else { throw mismatch(key, "a non-negative integer") }
        return integer
    }

    /// nil when the member is missing or null, as `decodeIfPresent` has it.
    public func optionalInt(_ key: StaticString) throws(StoredShapeError) -> Int? {
        isAbsent(key) ? nil : try int(key)
    }

    /// An object of strings (a sku's specs).
    public func strings(_ key: StaticString) throws(StoredShapeError) -> [String: String] {
        let members: [String: JSONValue]
        switch try value(key) {
        case .tree(let value):
            guard case .object(let object) = value else { throw mismatch(key, "an object") }
            members = object
        case .view(let slice):
            let value: JSONValue
            do { value = try slice.value() } catch { throw mismatch(key, "a valid object (\(error.reason))") }
            guard case .object(let object) = value else { throw mismatch(key, "an object") }
            members = object
        }
        var strings: [String: String] = [:]
        strings.reserveCapacity(members.count)
        for (name, value) in members {
            guard case .string(let string) = value else { throw mismatch(key, "an object of strings") }
            strings[name] = string
        }
        return strings
    }

    public func bool(_ key: StaticString) throws(StoredShapeError) -> Bool {
        let bool: Bool?
        switch try value(key) {
        case .tree(let value): bool = value.boolValue
        case .view(let slice): bool = slice.bool
        }
        guard let bool else { throw mismatch(key, "a boolean") }
        return bool
    }

    /// nil when the member is missing or null, as `decodeIfPresent` has it.
    public func optionalString(_ key: StaticString) throws(StoredShapeError) -> String? {
        isAbsent(key) ? nil : try string(key)
    }

    /// A string-backed enum's case, as its synthesized `Decodable` reads it.
    public func rawValue<T: RawRepresentable>(_ key: StaticString, as type: T.Type) throws(StoredShapeError) -> T where T.RawValue == String {
        guard let value = T(rawValue: try string(key)) else { throw mismatch(key, "one of \(T.self)'s values") }
        return value
    }

    /// nil when the member is missing or null, as `decodeIfPresent` has it.
    public func optionalRawValue<T: RawRepresentable>(_ key: StaticString, as type: T.Type) throws(StoredShapeError) -> T? where T.RawValue == String {
        isAbsent(key) ? nil : try rawValue(key, as: type)
    }

    public func timestamp(_ key: StaticString) throws(StoredShapeError) -> Timestamp {
        // In place when it can be (a stored time has no escapes): no `String` made to parse.
        let member = try value(key)
        if case .view(let slice) = member, let millis = slice.withUnescapedString(RFC3339.parse(utf8:)) {
            guard let millis else { throw mismatch(key, "an RFC 3339 time") }
            return Timestamp(millis: millis)
        }
        guard let time = Timestamp(rfc3339: try string(member, key)) else { throw mismatch(key, "an RFC 3339 time") }
        return time
    }

    public func object(_ key: StaticString) throws(StoredShapeError) -> StoredObject {
        let members = try Self.objectMembers(try value(key), at: Self.join(path, "\(key)"))
        // A member of a member joins this object's path now (rare: an order document's order).
        return StoredObject(members: members, base: self.key == nil ? base : path, key: key)
    }

    /// nil when the member is missing or null, as `decodeIfPresent` has it.
    public func optionalObject(_ key: StaticString) throws(StoredShapeError) -> StoredObject? {
        isAbsent(key) ? nil : try object(key)
    }

    /// The members of `member` when it is an object; else an error naming `place`.
    private static func objectMembers(_ member: Member, at place: @autoclosure () -> String) throws(StoredShapeError) -> Members {
        switch member {
        case .tree(let value):
            guard case .object(let object) = value else { throw StoredShapeError(path: place(), expected: "an object") }
            return .tree(object)
        case .view(let slice):
            let view: JSONObjectView?
            do { view = try slice.object() } catch { throw StoredShapeError(path: place(), expected: "a valid object (\(error.reason))") }
            guard let view else { throw StoredShapeError(path: place(), expected: "an object") }
            return .view(view)
        }
    }

    public func objects<T>(_ key: StaticString, _ element: (StoredObject) throws(StoredShapeError) -> T) throws(StoredShapeError) -> [T] {
        // Each element's members, nil for one that is not an object.
        let objects: [Members?]
        switch try value(key) {
        case .tree(let value):
            guard case .array(let values) = value else { throw mismatch(key, "an array") }
            objects = values.map { value in
                guard case .object(let members) = value else { return nil }
                return .tree(members)
            }
        case .view(let slice):
            // Each element walked once, as an object, in the walk over the array.
            let views: [JSONObjectView?]?
            do { views = try slice.objectElements() } catch { throw mismatch(key, "a valid array (\(error.reason))") }
            guard let views else { throw mismatch(key, "an array") }
            objects = views.map { $0.map(Members.view) }
        }
        var result: [T] = []
        result.reserveCapacity(objects.count)
        for (index, members) in objects.enumerated() {
            do throws(StoredShapeError) {
                // An element has an empty path: the catch below puts its place in front.
                guard let members else { throw StoredShapeError(path: "", expected: "an object") }
                result.append(try element(StoredObject(members: members, base: "", key: nil)))
            } catch {
                let place = Self.join(path, "\(key)[\(index)]")
                throw StoredShapeError(path: error.path.isEmpty ? place : "\(place).\(error.path)", expected: error.expected)
            }
        }
        return result
    }
}

extension Sealed {
    public init(stored object: StoredObject) throws(StoredShapeError) {
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
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(orderId: try object.string("orderId"), userId: try object.string("userId"),
                  lines: try object.objects("lines") { (line) throws(StoredShapeError) in try OrderLine(stored: line) },
                  totalCents: try object.int64("totalCents"), address: try Sealed(stored: try object.object("address")),
                  note: try object.optionalObject("note").map { (note) throws(StoredShapeError) in try Sealed(stored: note) },
                  placedAt: try object.timestamp("placedAt"), payBy: try object.timestamp("payBy"), fromCart: try object.bool("fromCart"))
    }
}

extension Order.PaymentRequested {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(paymentId: try object.string("paymentId"), amountCents: try object.int64("amountCents"), nonceStr: try object.string("nonceStr"),
                  timeStamp: try object.string("timeStamp"), expiresAt: try object.timestamp("expiresAt"))
    }
}

extension Order.Paid {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(paymentId: try object.string("paymentId"), transactionId: try object.string("transactionId"),
                  amountCents: try object.int64("amountCents"), paidAt: try object.string("paidAt"), recordedAt: try object.timestamp("recordedAt"))
    }
}

extension Order.Cancelled {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(reason: try object.string("reason"), at: try object.timestamp("at"))
    }
}

extension Sku.Reserved {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"))
    }
}

extension Sku.Sold {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"))
    }
}

extension Sku.Released {
    init(stored object: StoredObject) throws(StoredShapeError) {
        self.init(orderId: try object.string("orderId"), quantity: try object.int64("quantity"), reason: try object.string("reason"))
    }
}
