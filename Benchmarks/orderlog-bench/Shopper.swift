import Application
import CanonicalJSON
import Foundation
import NIOHTTP1

/// One simulated shopper (two accounts), with what it knows of its own orders and of its
/// conversations with customer service (whose agent it also plays, for its own accounts).
struct Shopper: Sendable {
    struct OpenOrder: Sendable {
        let token: String
        /// Units of each sku the order holds.
        let lines: [String: Int64]
        let total: Int64
    }

    let accounts: [Target.Account]
    let admin: String
    let skus: [String]
    var random: SplitMix
    /// Per account: messages its conversation holds (the customer's and the agent's), and
    /// whether the customer wrote the last one.
    var messages: [Int]
    var customerWroteLast: [Bool]
    var open: [String: OpenOrder] = [:]
    /// Per account: what its cart holds, as its own adds and checkouts left it.
    var carts: [[String: Int64]]
    var sold: [String: Int64] = [:]
    var latencies = Latencies()
    var ok: UInt64 = 0
    var rejected: UInt64 = 0
    var errors: UInt64 = 0
    var ordersPlaced: UInt64 = 0
    var checkouts: UInt64 = 0
    var lastPosition: UInt64 = 0
    var firstError: String?

    init(accounts: [Target.Account], admin: String, skus: [String], seed: UInt64) {
        self.accounts = accounts
        self.admin = admin
        self.skus = skus
        random = SplitMix(seed: seed)
        messages = Array(repeating: 0, count: accounts.count)
        carts = Array(repeating: [:], count: accounts.count)
        customerWroteLast = Array(repeating: false, count: accounts.count)
    }

    static let address: JSONValue = ["name": "李四", "phone": "13900139000", "line1": "人民路1号", "city": "上海"]

    mutating func act(_ server: Target, provider: SandboxPaymentProvider) async {
        let who = Int(random.next() % UInt64(accounts.count))
        let token = accounts[who].token
        let sku = skus[Int(random.next() % UInt64(skus.count))]
        let roll = random.next() % 100
        switch roll {
        case 0..<16: _ = await request(server, .GET, "/v1/products?page=\(1 + random.next() % 2)")
        case 16..<18:
            let text: JSONValue = .string("我的订单什么时候发货？\(random.next() % 1000)")
            if let reply = await request(server, .POST, "/v1/support/messages", json: ["text": text], token: token), reply.status == 201 {
                messages[who] += 1
                customerWroteLast[who] = true
            }
        case 18:
            _ = await request(server, .GET, "/v1/support/messages?pageSize=20&page=\(1 + messages[who] / 20)", token: token)
        case 19:
            // The agent: the inbox's first page of those waiting, and an answer to this shopper
            // when it has written.
            _ = await request(server, .GET, "/v1/admin/support/conversations?awaitingReply=true", token: admin)
            guard messages[who] > 0 else { return }
            if let reply = await request(server, .POST, "/v1/admin/support/\(accounts[who].userId)/messages", json: ["text": "您好，已为您查询"], token: admin),
               reply.status == 201 {
                messages[who] += 1
                customerWroteLast[who] = false
            }
        case 20..<35:
            let q = ShoppingScenario.searches[Int(random.next() % UInt64(ShoppingScenario.searches.count))]
            _ = await request(server, .GET, "/v1/products?q=" + (q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""))
        case 35..<55: _ = await request(server, .GET, "/v1/products/" + String(sku.dropLast(2)))
        case 55..<60: _ = await request(server, .GET, "/v1/skus/" + sku)
        case 60..<68:
            if let reply = await request(server, .POST, "/v1/cart/items", json: ["skuId": .string(sku), "quantity": 1], token: token), reply.status == 200 {
                carts[who][sku, default: 0] += 1
            }
        case 68..<72: _ = await request(server, .GET, "/v1/cart", token: token)
        case 72..<82:
            let quantity = Int64(1 + random.next() % 2)
            let body: JSONValue = ["items": [["skuId": .string(sku), "quantity": .int(quantity)]], "address": Shopper.address]
            if let reply = await request(server, .POST, "/v1/orders", json: body, token: token), reply.status == 201, let id = reply.json["orderId"]?.stringValue {
                open[id] = OpenOrder(token: token, lines: [sku: quantity], total: reply.json["totalCents"]?.intValue ?? 0)
                ordersPlaced += 1
            }
        case 82..<90:
            guard let (id, order) = open.first else { return }
            guard let payment = await request(server, .POST, "/v1/orders/\(id)/payments", token: order.token), payment.status == 201,
                  let paymentId = payment.json["paymentId"]?.stringValue else { return }
            let unsigned = PaymentNotification(paymentId: paymentId, orderId: id, amountCents: order.total, transactionId: "T-\(id)",
                                               paidAt: "2026-11-25T08:00:00Z", signature: "")
            let notify: JSONValue = ["paymentId": .string(paymentId), "orderId": .string(id), "amountCents": .int(order.total),
                                     "transactionId": .string("T-\(id)"), "paidAt": "2026-11-25T08:00:00Z",
                                     "signature": .string(provider.signature(for: unsigned))]
            if let reply = await request(server, .POST, "/v1/payments/notify", json: notify), reply.status == 200 {
                open[id] = nil
                for (sku, units) in order.lines { sold[sku, default: 0] += units }
            }
        case 90..<95:
            guard let (id, order) = open.first(where: { _ in random.next() % 2 == 0 }) ?? open.first else { return }
            if let reply = await request(server, .POST, "/v1/orders/\(id)/cancel", token: order.token), reply.status == 200 { open[id] = nil }
        case 95..<97 where !carts[who].isEmpty:
            // Checkout: the whole cart becomes one order, and the cart is emptied.
            if let reply = await request(server, .POST, "/v1/orders", json: ["address": Shopper.address], token: token), reply.status == 201,
               let id = reply.json["orderId"]?.stringValue {
                open[id] = OpenOrder(token: token, lines: carts[who], total: reply.json["totalCents"]?.intValue ?? 0)
                carts[who] = [:]
                ordersPlaced += 1
                checkouts += 1
            }
        default:
            _ = await request(server, .GET, "/v1/orders", token: token)
        }
    }

    /// One request: latency recorded; 2xx counts ok, an expected 4xx rejected, anything else
    /// an error.
    private mutating func request(_ server: Target, _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, token: String? = nil) async -> Target.Reply? {
        let began = now()
        do {
            let reply = try await server.call(method, path, json: json, token: token)
            latencies.record(nanoseconds: now() - began)
            if let position = reply.json["position"]?.intValue { lastPosition = max(lastPosition, UInt64(position)) }
            switch reply.status {
            case 200..<300: ok += 1
            case 404, 409, 422: rejected += 1
            default:
                errors += 1
                if firstError == nil { firstError = "\(method) \(path) → \(reply.status) \(reply.json["code"]?.stringValue ?? "")" }
            }
            return reply
        } catch {
            errors += 1
            if firstError == nil { firstError = "\(method) \(path): \(error)" }
            return nil
        }
    }
}

/// A tiny deterministic generator (each shopper reproducible from its seed).
struct SplitMix: Sendable {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
