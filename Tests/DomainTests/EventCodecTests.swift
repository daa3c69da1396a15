import CanonicalJSON
import Testing
@testable import Domain

@Suite struct EventCodecTests {
    static let samples: [DomainEvent] = [
        .product(.created(Product.Created(productId: "P1", title: "手机", description: "d", category: "c", tags: ["t"], imageUrls: ["u"], skuIds: ["S1"], createdAt: t0))),
        .product(.updated(Product.Updated(title: "x", description: nil, category: nil, tags: nil, imageUrls: [])) ),
        .sku(.created(Sku.Created(definition: Sku.Definition(skuId: "S1", specs: [SpecEntry(name: "颜色", value: "黑")], priceCents: 1, limitPerUser: 2), productId: "P1"))),
        .sku(.adjusted(Sku.Adjusted(delta: -3, reason: "r"))),
        .cart(.itemAdded(Cart.ItemAdded(skuId: "S1", quantity: 2))),
        .order(.placed(Order.Placed(orderId: "O1", userId: "U1", lines: [], totalCents: 0, address: address, note: sealed("n"), placedAt: t0, payBy: t0, fromCart: true))),
        .order(.refundRequested(Order.RefundRequested(reason: sealed("r"), requestedAt: t0, fromStatus: .shipped))),
        .account(.registered(Account.Registered(userId: "U1", username: sealed("a"), usernameKey: "k", role: .admin, passwordHash: "h", openIdKey: nil, openId: nil, registeredAt: t0))),
        .usernameClaim(.released(UsernameClaim.Released(userId: "U1"))),
        .wechatLink(.linked(WeChatLink.Linked(userId: "U1"))),
        .support(.messagePosted(Support.MessagePosted(messageId: "M", from: .agent, text: sealed("t"), orderId: nil, agentId: "A", at: t0))),
    ]

    @Test(arguments: samples)
    func roundTripsThroughCanonicalJSON(_ event: DomainEvent) throws {
        let data = try event.encodedData()
        // Canonicalizable (no floats) and readable back as the same event.
        let bytes = try CanonicalJSON.serialize(data)
        let decoded = try DomainEvent.decode(type: event.typeName, data: try JSONParser.parse(bytes))
        #expect(decoded == event)
    }

    static let hot: [DomainEvent] = [
        .order(.placed(Order.Placed(orderId: "O1", userId: "U1", lines: [
            OrderLine(skuId: "S1", productId: "P1", title: "华为 \"Pro\"\n", specs: [SpecEntry(name: "颜色", value: "黑"), SpecEntry(name: "b", value: "")],
                      priceCents: 9_007_199_254_740_991, quantity: 99, lineTotalCents: -1),
        ], totalCents: 123, address: sealed("addr"), note: nil, placedAt: t0, payBy: t0.adding(seconds: 1800), fromCart: false))),
        .order(.placed(Order.Placed(orderId: "O2", userId: "U2", lines: [], totalCents: 0, address: sealed("a"), note: sealed("n"), placedAt: t0, payBy: t0,
                                    fromCart: true))),
        // Fifty lines: several KiB, past the room `CanonicalJSON.serialize` starts with.
        .order(.placed(Order.Placed(orderId: "O3", userId: "U3", lines: (0..<50).map { index in
            OrderLine(skuId: "华为-S\(index)", productId: "P\(index)", title: "华为智能手机 Pro \"\(index)\"", specs: [SpecEntry(name: "颜色", value: "黑\(index)")],
                      priceCents: Int64(index), quantity: 1, lineTotalCents: Int64(index))
        }, totalCents: 1225, address: sealed("addr"), note: sealed("n"), placedAt: t0, payBy: t0, fromCart: false))),
        .sku(.reserved(Sku.Reserved(orderId: "O1", quantity: 3))),
        .sku(.sold(Sku.Sold(orderId: "O1", quantity: 3))),
        .sku(.released(Sku.Released(orderId: "O1", quantity: 3, reason: "payment_timeout"))),
        .order(.paymentRequested(Order.PaymentRequested(paymentId: "PAY1", amountCents: 5, nonceStr: "n", timeStamp: "1795593600", expiresAt: t0))),
        .order(.paid(Order.Paid(paymentId: "PAY1", transactionId: "T1", amountCents: 5, paidAt: "2026-11-25T08:00:00+08:00", recordedAt: t0))),
        .order(.cancelled(Order.Cancelled(reason: "payment_timeout", at: t0.adding(seconds: 1)))),
        .order(.paymentRequested(Order.PaymentRequested(paymentId: "支付\"1\"", amountCents: -9_007_199_254_740_991, nonceStr: "\u{1}",
                                                        timeStamp: "", expiresAt: Timestamp(millis: 0)))),
        .order(.paid(Order.Paid(paymentId: "P", transactionId: "微信\\T", amountCents: 0, paidAt: "", recordedAt: t0.adding(seconds: 86_400 * 400)))),
    ]

    /// Written by hand, read through the generic codec: the same canonical bytes as the tree.
    @Test func handWrittenCartEventsMatchTheGenericCodec() throws {
        for event in [DomainEvent.cart(.itemAdded(Cart.ItemAdded(skuId: "华为-\"2\"", quantity: 99))), .cart(.itemAdded(Cart.ItemAdded(skuId: "", quantity: 0)))] {
            #expect(try event.canonicalData() == (try CanonicalJSON.serialize(try event.encodedData())))
            #expect(try DomainEvent.decode(type: event.typeName, data: try JSONParser.parse(try event.canonicalData())) == event)
        }
    }

    @Test(arguments: hot)
    func handWrittenFormsMatchTheGenericCodec(_ event: DomainEvent) throws {
        #expect(try event.canonicalData() == (try CanonicalJSON.serialize(try event.encodedData())))
        let data = try JSONParser.parse(try event.canonicalData())
        #expect(try DomainEvent.decode(type: event.typeName, data: data) == event)
        // The hand-written reader and the synthesized Decodable read the same event, accept
        // extra members alike, and refuse the same broken shapes.
        let generic = { (data: JSONValue) throws -> DomainEvent in try Self.genericDecode(event, data) }
        #expect(try generic(data) == event)
        guard case .object(var members) = data else { return }
        members["addedLater"] = ["x": 1]
        if members["note"] != nil { members["note"] = .null }
        #expect(try DomainEvent.decode(type: event.typeName, data: .object(members)) == (try generic(.object(members))))
        // Read in place from the stored bytes (as a rebuild reads): the same answers.
        #expect(try Self.decodeInPlace(event.typeName, try event.canonicalData()) == event)
        #expect(try Self.decodeInPlace(event.typeName, .object(members)) == (try generic(.object(members))))
        for (key, value) in members where key != "addedLater" && key != "note" {
            var missing = members
            missing[key] = nil
            var mistyped = members
            mistyped[key] = value.stringValue == nil ? .string("text") : .double(1.5)
            for broken in [missing, mistyped] {
                #expect(throws: StoredShapeError.self, "\(key)") { try DomainEvent.decode(type: event.typeName, data: .object(broken)) }
                #expect(throws: StoredShapeError.self, "\(key)") { try Self.decodeInPlace(event.typeName, .object(broken)) }
                #expect(throws: DecodingError.self, "\(key)") { try generic(.object(broken)) }
            }
        }
    }

    /// Decodes `data` the way a rebuild does: in place, from its bytes inside a record.
    static func decodeInPlace(_ type: String, _ data: JSONValue) throws -> DomainEvent {
        try decodeInPlace(type, data.serialized())  // not canonical: the broken shapes hold a 1.5
    }

    static func decodeInPlace(_ type: String, _ data: [UInt8]) throws -> DomainEvent {
        let record = Array(#"{"type":"x","data":"#.utf8) + data + Array("}".utf8)
        return try record.withUnsafeBytes { bytes in
            guard let slice = try JSONObjectView(bytes).value("data") else { throw StoredShapeError(path: "data", expected: "a value") }
            return try DomainEvent.decode(type: type, data: slice)
        }
    }

    /// What only bytes can show: a repeated member keeps its last value (as the tree does),
    /// escaped names and values are read like any other, invalid UTF-8 in a value is refused.
    @Test func inPlaceReadingMatchesTheTreeOnRawBytes() throws {
        let repeated = Array(#"{"orderId":"O1","quantity":1,"quantity":2,"extra":{"deep":[1,{"x":null}]}}"#.utf8)
        let tree = try DomainEvent.decode(type: "StockReserved", data: try JSONParser.parse(repeated))
        #expect(try Self.decodeInPlace("StockReserved", repeated) == tree)
        #expect(tree == .sku(.reserved(Sku.Reserved(orderId: "O1", quantity: 2))))
        let escaped = Array(#"{"order\u0049d":"O\u00e9\"1","quantity":3}"#.utf8)
        #expect(try Self.decodeInPlace("StockReserved", escaped) == .sku(.reserved(Sku.Reserved(orderId: "Oé\"1", quantity: 3))))
        let invalid: [UInt8] = Array(#"{"orderId":""#.utf8) + [0xC3, 0x28] + Array(#"","quantity":3}"#.utf8)
        #expect(throws: (any Error).self) { try Self.decodeInPlace("StockReserved", invalid) }
        #expect(throws: (any Error).self) { try DomainEvent.decode(type: "StockReserved", data: try JSONParser.parse(invalid)) }
        // Syntax is checked in full, even in members no reader asks for.
        let broken = Array(#"{"orderId":"O1","quantity":3,"extra":[1,}"#.utf8)
        #expect(throws: JSONParser.SyntaxError.self) { try Self.decodeInPlace("StockReserved", broken) }
        // A type without a hand-written reader goes through the tree.
        let cancelled = DomainEvent.cart(.itemAdded(Cart.ItemAdded(skuId: "S1", quantity: 2)))
        #expect(try Self.decodeInPlace(cancelled.typeName, try cancelled.canonicalData()) == cancelled)
    }

    /// The synthesized `Decodable` of the event's payload type.
    static func genericDecode(_ event: DomainEvent, _ data: JSONValue) throws -> DomainEvent {
        let decoder = JSONValueDecoder()
        return switch event {
        case .order(.placed): .order(.placed(try decoder.decode(Order.Placed.self, from: data)))
        case .order(.paymentRequested): .order(.paymentRequested(try decoder.decode(Order.PaymentRequested.self, from: data)))
        case .order(.paid): .order(.paid(try decoder.decode(Order.Paid.self, from: data)))
        case .order(.cancelled): .order(.cancelled(try decoder.decode(Order.Cancelled.self, from: data)))
        case .sku(.reserved): .sku(.reserved(try decoder.decode(Sku.Reserved.self, from: data)))
        case .sku(.sold): .sku(.sold(try decoder.decode(Sku.Sold.self, from: data)))
        case .sku(.released): .sku(.released(try decoder.decode(Sku.Released.self, from: data)))
        default: throw DomainEvent.UnknownType(type: event.typeName)
        }
    }

    @Test func handWrittenReadersCheckNestedShapesToo() throws {
        let placed = try JSONParser.parse(try Self.hot[0].canonicalData())
        guard case .object(var members) = placed, case .array(var lines) = members["lines"], case .object(var line) = lines[0] else {
            Issue.record("unexpected sample shape")
            return
        }
        line["specs"] = [["name": "颜色"]]
        lines[0] = .object(line)
        members["lines"] = .array(lines)
        #expect(throws: StoredShapeError(path: "OrderPlaced.lines[0].specs[0].value", expected: "a value")) {
            try DomainEvent.decode(type: "OrderPlaced", data: .object(members))
        }
        #expect(throws: StoredShapeError(path: "OrderPlaced.lines[0].specs[0].value", expected: "a value")) {
            try Self.decodeInPlace("OrderPlaced", .object(members))
        }
        guard case .object(var intact) = placed, case .object(var address) = intact["address"] else { return }
        // A member missing inside a nested object names the whole way to it.
        address["nonce"] = nil
        intact["address"] = .object(address)
        #expect(throws: StoredShapeError(path: "OrderPlaced.address.nonce", expected: "a value")) {
            try DomainEvent.decode(type: "OrderPlaced", data: .object(intact))
        }
        #expect(throws: StoredShapeError(path: "OrderPlaced.address.nonce", expected: "a value")) {
            try Self.decodeInPlace("OrderPlaced", .object(intact))
        }
        intact["address"] = "sealed?"
        #expect(throws: StoredShapeError(path: "OrderPlaced.address", expected: "an object")) {
            try DomainEvent.decode(type: "OrderPlaced", data: .object(intact))
        }
        #expect(throws: StoredShapeError(path: "OrderPlaced.address", expected: "an object")) {
            try Self.decodeInPlace("OrderPlaced", .object(intact))
        }
        // An array's element that is not an object is named by its place (read in place, the
        // array's elements are walked as objects in one pass).
        guard case .object(var second) = placed, case .array(let intactLines) = second["lines"] else { return }
        second["lines"] = .array(intactLines + ["a line?"])
        #expect(throws: StoredShapeError(path: "OrderPlaced.lines[\(intactLines.count)]", expected: "an object")) {
            try DomainEvent.decode(type: "OrderPlaced", data: .object(second))
        }
        #expect(throws: StoredShapeError(path: "OrderPlaced.lines[\(intactLines.count)]", expected: "an object")) {
            try Self.decodeInPlace("OrderPlaced", .object(second))
        }
    }

    @Test func typeNamesAreUniqueAndFrozen() {
        let names = DomainEvent.knownTypes
        #expect(Set(names).count == names.count)
        #expect(names.contains("OrderPlaced") && names.contains("StockReserved") && names.contains("UserRegistered"))
        #expect(names.count == 38)
    }

    @Test func anUnknownTypeIsAnError() {
        #expect(throws: DomainEvent.UnknownType.self) { try DomainEvent.decode(type: "Nope", data: [:]) }
    }

    @Test func timesAreRFC3339InTheData() throws {
        let data = try DomainEvent.order(.cancelled(Order.Cancelled(reason: "customer", at: t0))).encodedData()
        #expect(data["at"] == "2026-11-25T08:00:00.000Z")
    }

    /// Every domain event belongs to exactly one decider, which takes it out of `DomainEvent`
    /// and puts it back unchanged; a decider folds a mixed sequence as if the others' events
    /// were not there.
    @Test func eachDeciderTakesOnlyItsOwnEvents() {
        func roundTrips<D: Decider>(_ decider: D.Type, _ event: DomainEvent) -> Bool {
            D.extract(event).map { D.wrap($0) == event } ?? false
        }
        for event in Self.samples {
            let owners = [roundTrips(Product.self, event), roundTrips(Sku.self, event), roundTrips(Cart.self, event),
                          roundTrips(Order.self, event), roundTrips(Account.self, event), roundTrips(UsernameClaim.self, event),
                          roundTrips(WeChatLink.self, event), roundTrips(Support.self, event)]
            #expect(owners.filter { $0 }.count == 1, "\(event.typeName)")
        }
        let mixed = Self.samples + [.sku(.restocked(Sku.Restocked(quantity: 5)))]
        let own = mixed.compactMap(Sku.extract)
        #expect(own.count == 3)
        #expect(Sku.fold(mixed) == own.reduce(Sku.initialState, Sku.evolve))
        #expect(Sku.fold(mixed).restocked == 5 && Sku.fold(mixed).exists)
        #expect(Sku.fold([]) == Sku.initialState)
    }
}
