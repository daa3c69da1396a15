import CanonicalJSON

/// Every domain event, for code that handles events of any aggregate (projections, the
/// replay tool, the command processor's encoder).
///
/// The codec is the one place that maps stored type names to payloads; `EventUpcasting` runs
/// before it, so old shapes are read as new ones without rewriting the log.
public enum DomainEvent: Sendable, Equatable {
    case product(Product.Event)
    case sku(Sku.Event)
    case cart(Cart.Event)
    case order(Order.Event)
    case account(Account.Event)
    case usernameClaim(UsernameClaim.Event)
    case wechatLink(WeChatLink.Event)
    case support(Support.Event)

    public struct UnknownType: Error, CustomStringConvertible {
        public let type: String
        public var description: String { "unknown event type \(type)" }
    }

    /// The payload and its frozen type name.
    public var payload: any EventPayload {
        switch self {
        case .product(let event):
            switch event {
            case .created(let p): p
            case .skuAdded(let p): p
            case .updated(let p): p
            case .unlisted(let p): p
            case .listed(let p): p
            }
        case .sku(let event):
            switch event {
            case .created(let p): p
            case .priceChanged(let p): p
            case .limitChanged(let p): p
            case .restocked(let p): p
            case .adjusted(let p): p
            case .reserved(let p): p
            case .released(let p): p
            case .sold(let p): p
            case .returned(let p): p
            }
        case .cart(let event):
            switch event {
            case .itemAdded(let p): p
            case .quantitySet(let p): p
            case .itemRemoved(let p): p
            case .checkedOut(let p): p
            }
        case .order(let event):
            switch event {
            case .placed(let p): p
            case .paymentRequested(let p): p
            case .paid(let p): p
            case .cancelled(let p): p
            case .shipped(let p): p
            case .completed(let p): p
            case .refundRequested(let p): p
            case .refundApproved(let p): p
            case .refundRejected(let p): p
            case .latePaymentRefunded(let p): p
            }
        case .account(let event):
            switch event {
            case .registered(let p): p
            case .passwordChanged(let p): p
            case .roleChanged(let p): p
            case .tokensRevoked(let p): p
            case .erased(let p): p
            }
        case .usernameClaim(let event):
            switch event {
            case .claimed(let p): p
            case .released(let p): p
            }
        case .wechatLink(let event):
            switch event {
            case .linked(let p): p
            case .unlinked(let p): p
            }
        case .support(let event):
            switch event {
            case .messagePosted(let p): p
            }
        }
    }

    public var typeName: String {
        switch self {
        // The writer asks for every event; the hot ones answer without boxing the payload.
        case .order(.placed): Order.Placed.typeName
        case .sku(.reserved): Sku.Reserved.typeName
        case .sku(.sold): Sku.Sold.typeName
        case .sku(.released): Sku.Released.typeName
        default: type(of: payload).typeName
        }
    }

    /// The event's data as JSON.
    public func encodedData() throws -> JSONValue {
        try payload.jsonValue()
    }

    /// The event's data in canonical JSON, as the log stores it: written directly for the hot
    /// payloads, through the generic encoder for the rest.
    public func canonicalData() throws -> [UInt8] {
        switch self {
        case .order(.placed(let placed)): return CanonicalJSON.serialize(placed)
        case .sku(.reserved(let reserved)): return CanonicalJSON.serialize(reserved)
        case .sku(.sold(let sold)): return CanonicalJSON.serialize(sold)
        case .sku(.released(let released)): return CanonicalJSON.serialize(released)
        case .order(.paymentRequested(let requested)): return CanonicalJSON.serialize(requested)
        case .order(.paid(let paid)): return CanonicalJSON.serialize(paid)
        case .order(.cancelled(let cancelled)): return CanonicalJSON.serialize(cancelled)
        case .cart(.itemAdded(let added)): return CanonicalJSON.serialize(added)
        default: break
        }
        if let writable = payload as? any CanonicalWritable {
            return CanonicalJSON.serialize(writable)
        }
        return try CanonicalJSON.serialize(try payload.jsonValue())
    }

    /// Reads an event from its stored type name and data.
    public static func decode(type: String, data: JSONValue) throws -> DomainEvent {
        let (currentType, currentData) = EventUpcasting.upcast(type: type, data: data)
        if let read = handWritten[currentType] { return try read(try StoredObject(currentData, path: currentType)) }
        guard let decode = registry[currentType] else { throw UnknownType(type: type) }
        return try decode(currentData)
    }

    /// Reads an event from its stored type name and its data in place (what a rebuild does for
    /// every event): the hot types straight from the bytes, the rest through a parsed tree.
    /// `object`: the data's members when the caller located them already (`RecordView.dataObject`).
    public static func decode(type: String, data: JSONObjectView.Slice, object: JSONObjectView? = nil) throws -> DomainEvent {
        if !EventUpcasting.upcasts(type: type), let read = handWritten[type] {
            guard let view = try object ?? data.object() else { throw StoredShapeError(path: type, expected: "an object") }
            return try read(StoredObject(view, path: type))
        }
        return try decode(type: type, data: try data.value())
    }

    /// The hand-written readers (StoredReading.swift) of the types a log holds most of: they
    /// read a parsed tree or the stored bytes in place alike.
    private static let handWritten: [String: @Sendable (StoredObject) throws -> DomainEvent] = [
        Order.Placed.typeName: { .order(.placed(try Order.Placed(stored: $0))) },
        Order.PaymentRequested.typeName: { .order(.paymentRequested(try Order.PaymentRequested(stored: $0))) },
        Order.Paid.typeName: { .order(.paid(try Order.Paid(stored: $0))) },
        Order.Cancelled.typeName: { .order(.cancelled(try Order.Cancelled(stored: $0))) },
        Sku.Reserved.typeName: { .sku(.reserved(try Sku.Reserved(stored: $0))) },
        Sku.Released.typeName: { .sku(.released(try Sku.Released(stored: $0))) },
        Sku.Sold.typeName: { .sku(.sold(try Sku.Sold(stored: $0))) },
    ]

    private static func payload<P: EventPayload>(_ type: P.Type, _ data: JSONValue) throws -> P {
        try JSONValueDecoder().decode(P.self, from: data)
    }

    /// Reads each stored type other than the hand-written ones, through its synthesized
    /// `Decodable`.
    private static let registry: [String: @Sendable (JSONValue) throws -> DomainEvent] = [
        Product.Created.typeName: { .product(.created(try payload(Product.Created.self, $0))) },
        Product.SkuAdded.typeName: { .product(.skuAdded(try payload(Product.SkuAdded.self, $0))) },
        Product.Updated.typeName: { .product(.updated(try payload(Product.Updated.self, $0))) },
        Product.Unlisted.typeName: { .product(.unlisted(try payload(Product.Unlisted.self, $0))) },
        Product.Listed.typeName: { .product(.listed(try payload(Product.Listed.self, $0))) },
        Sku.Created.typeName: { .sku(.created(try payload(Sku.Created.self, $0))) },
        Sku.PriceChanged.typeName: { .sku(.priceChanged(try payload(Sku.PriceChanged.self, $0))) },
        Sku.LimitChanged.typeName: { .sku(.limitChanged(try payload(Sku.LimitChanged.self, $0))) },
        Sku.Restocked.typeName: { .sku(.restocked(try payload(Sku.Restocked.self, $0))) },
        Sku.Adjusted.typeName: { .sku(.adjusted(try payload(Sku.Adjusted.self, $0))) },
        Sku.Returned.typeName: { .sku(.returned(try payload(Sku.Returned.self, $0))) },
        Cart.ItemAdded.typeName: { .cart(.itemAdded(try payload(Cart.ItemAdded.self, $0))) },
        Cart.QuantitySet.typeName: { .cart(.quantitySet(try payload(Cart.QuantitySet.self, $0))) },
        Cart.ItemRemoved.typeName: { .cart(.itemRemoved(try payload(Cart.ItemRemoved.self, $0))) },
        Cart.CheckedOut.typeName: { .cart(.checkedOut(try payload(Cart.CheckedOut.self, $0))) },
        Order.Shipped.typeName: { .order(.shipped(try payload(Order.Shipped.self, $0))) },
        Order.Completed.typeName: { .order(.completed(try payload(Order.Completed.self, $0))) },
        Order.RefundRequested.typeName: { .order(.refundRequested(try payload(Order.RefundRequested.self, $0))) },
        Order.RefundApproved.typeName: { .order(.refundApproved(try payload(Order.RefundApproved.self, $0))) },
        Order.RefundRejected.typeName: { .order(.refundRejected(try payload(Order.RefundRejected.self, $0))) },
        Order.LatePaymentRefunded.typeName: { .order(.latePaymentRefunded(try payload(Order.LatePaymentRefunded.self, $0))) },
        Account.Registered.typeName: { .account(.registered(try payload(Account.Registered.self, $0))) },
        Account.PasswordChanged.typeName: { .account(.passwordChanged(try payload(Account.PasswordChanged.self, $0))) },
        Account.RoleChanged.typeName: { .account(.roleChanged(try payload(Account.RoleChanged.self, $0))) },
        Account.TokensRevoked.typeName: { .account(.tokensRevoked(try payload(Account.TokensRevoked.self, $0))) },
        Account.Erased.typeName: { .account(.erased(try payload(Account.Erased.self, $0))) },
        UsernameClaim.Claimed.typeName: { .usernameClaim(.claimed(try payload(UsernameClaim.Claimed.self, $0))) },
        UsernameClaim.Released.typeName: { .usernameClaim(.released(try payload(UsernameClaim.Released.self, $0))) },
        WeChatLink.Linked.typeName: { .wechatLink(.linked(try payload(WeChatLink.Linked.self, $0))) },
        WeChatLink.Unlinked.typeName: { .wechatLink(.unlinked(try payload(WeChatLink.Unlinked.self, $0))) },
        Support.MessagePosted.typeName: { .support(.messagePosted(try payload(Support.MessagePosted.self, $0))) },
    ]

    /// Every stored type name this version reads.
    public static var knownTypes: [String] { (Array(registry.keys) + Array(handWritten.keys)).sorted() }
}

/// Old event shapes become current ones here, in one place, when they are read. The log is
/// never rewritten. (Every type is still at its first shape.)
public enum EventUpcasting {
    public static func upcast(type: String, data: JSONValue) -> (String, JSONValue) {
        (type, data)
    }

    /// Whether `upcast` changes events of `type`: those are read through a tree, never in
    /// place. Keep in step with `upcast`.
    public static func upcasts(type: String) -> Bool {
        false
    }
}
