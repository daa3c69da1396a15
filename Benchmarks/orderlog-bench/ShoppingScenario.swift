import Application
import ArgumentParser
import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOHTTP1

/// `shopping`: many users browse, search, fill carts, order, pay (signed notifications) and
/// cancel, in a realistic mix, for a while. Afterwards every sku's ledger must balance and its
/// reservations and sales must equal what the buyers' orders say.
struct ShoppingScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shopping", abstract: "A realistic shopping mix over HTTP.")

    @Option(help: "Seconds of load.") var duration = 20.0
    @Option(help: "Concurrent shoppers.") var concurrency = 64
    @Option(help: "Products in the catalog (two skus each).") var products = 40
    @OptionGroup var target: TargetOptions
    @OptionGroup var output: OutputOptions

    static let searches = ["手机", "华为", "耳机", "pro", "智能", "蓝牙 耳机", "电脑", "小米 手机", "max", "家电"]
    static let stockPerSku = 1_000_000

    func run() async throws {
        try await Target.run(target, concurrency: concurrency, output: output) { try await shop($0) }
    }

    private func shop(_ server: Target) async throws -> Report {
        let progress = Progress()
        progress.show("building the catalog…")
        let admin = try await server.adminToken(password: target.adminPassword)
        let run = UInt32.random(in: 0...UInt32.max)
        let titles = ["华为智能手机", "小米蓝牙耳机", "联想笔记本电脑", "美的智能家电", "苹果手机 Pro", "索尼降噪耳机 Max"]
        var skuIds: [String] = []
        for p in 0..<products {
            let id = "SHOP\(run)-\(p)"
            let reply = try await server.call(.POST, "/v1/admin/products", json: [
                "productId": .string(id), "title": .string("\(titles[p % titles.count]) \(p)"), "category": .string(["手机", "耳机", "电脑", "家电"][p % 4]),
                "tags": ["热卖"], "skus": [["skuId": .string(id + "-A"), "specs": ["颜色": "黑"], "priceCents": .int(Int64(100 + p))],
                                           ["skuId": .string(id + "-B"), "specs": ["颜色": "白"], "priceCents": .int(Int64(200 + p))]],
            ], token: admin)
            guard reply.status == 201 else { throw ValidationError("creating products failed: \(reply.status)") }
            for sku in [id + "-A", id + "-B"] {
                _ = try await server.call(.POST, "/v1/admin/skus/\(sku)/restock", json: ["quantity": .int(Int64(Self.stockPerSku))], token: admin)
                skuIds.append(sku)
            }
        }
        progress.show("registering shoppers…")
        let tokens = try await server.register(concurrency * 2, prefix: "shop\(run)", concurrency: min(concurrency, 32))
        let provider = SandboxPaymentProvider(secret: target.paymentSecret, appId: "")
        let deadline = now() + UInt64(duration * 1e9)
        let start = now()
        progress.show("shopping for \(Int(duration)) s…")
        let allSkus = skuIds
        let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var shopper = Shopper(tokens: [tokens[worker], tokens[worker + concurrency]], skus: allSkus, seed: UInt64(worker + 1))
                    while now() < deadline { await shopper.act(server, provider: provider) }
                    return shopper
                }
            }
            var all: [Shopper] = []
            for try await shopper in group { all.append(shopper) }
            return all
        }
        let seconds = Double(now() - start) / 1e9
        progress.show("checking every sku's ledger…")
        var latencies = Latencies()
        var ok: UInt64 = 0, rejected: UInt64 = 0, errors: UInt64 = 0, orders: UInt64 = 0, lastPosition: UInt64 = 0
        var reserved: [String: Int64] = [:], sold: [String: Int64] = [:]
        var firstError: String?
        for shopper in shoppers {
            latencies.merge(shopper.latencies)
            ok += shopper.ok
            rejected += shopper.rejected
            errors += shopper.errors
            orders += shopper.ordersPlaced
            lastPosition = max(lastPosition, shopper.lastPosition)
            firstError = firstError ?? shopper.firstError
            for order in shopper.open.values { reserved[order.sku, default: 0] += order.quantity }
            for (sku, units) in shopper.sold { sold[sku, default: 0] += units }
        }
        var report = Report(scenario: "shopping", requests: ok + rejected + errors, ok: ok, rejected: rejected, errors: errors, seconds: seconds,
                            throughput: Double(ok) / seconds, latencies: latencies)
        if errors > 0 { report.invariantFailures.append("\(errors) requests erred (first: \(firstError ?? "?"))") }
        for sku in skuIds {
            let state = try await server.call(.GET, "/v1/skus/\(sku)", headers: [("X-Min-Position", String(lastPosition))]).json
            let available = state["available"]?.intValue ?? -1
            let onHold = state["reserved"]?.intValue ?? -1
            let gone = state["sold"]?.intValue ?? -1
            if available < 0 || available + onHold + gone != Int64(Self.stockPerSku) {
                report.invariantFailures.append("\(sku) ledger: \(available) + \(onHold) + \(gone) ≠ \(Self.stockPerSku)")
            }
            if onHold != reserved[sku, default: 0] { report.invariantFailures.append("\(sku) reserved \(onHold), orders awaiting payment hold \(reserved[sku, default: 0])") }
            if gone != sold[sku, default: 0] { report.invariantFailures.append("\(sku) sold \(gone), paid orders hold \(sold[sku, default: 0])") }
        }
        progress.done()
        report.invariantsHold = report.invariantFailures.isEmpty
        report.extra = [("orders", Double(orders)), ("ordersPerSecond", Double(orders) / seconds), ("concurrency", Double(concurrency)), ("skus", Double(skuIds.count))]
        return report
    }
}

/// One simulated shopper (two accounts), with what it knows of its own orders.
struct Shopper: Sendable {
    struct OpenOrder: Sendable {
        let token: String
        let sku: String
        let quantity: Int64
        let total: Int64
    }

    let tokens: [String]
    let skus: [String]
    var random: SplitMix
    var open: [String: OpenOrder] = [:]
    var sold: [String: Int64] = [:]
    var latencies = Latencies()
    var ok: UInt64 = 0
    var rejected: UInt64 = 0
    var errors: UInt64 = 0
    var ordersPlaced: UInt64 = 0
    var lastPosition: UInt64 = 0
    var firstError: String?

    init(tokens: [String], skus: [String], seed: UInt64) {
        self.tokens = tokens
        self.skus = skus
        random = SplitMix(seed: seed)
    }

    static let address: JSONValue = ["name": "李四", "phone": "13900139000", "line1": "人民路1号", "city": "上海"]

    mutating func act(_ server: Target, provider: SandboxPaymentProvider) async {
        let token = tokens[Int(random.next() % 2)]
        let sku = skus[Int(random.next() % UInt64(skus.count))]
        let roll = random.next() % 100
        switch roll {
        case 0..<20: _ = await request(server, .GET, "/v1/products?page=\(1 + random.next() % 2)")
        case 20..<35:
            let q = ShoppingScenario.searches[Int(random.next() % UInt64(ShoppingScenario.searches.count))]
            _ = await request(server, .GET, "/v1/products?q=" + (q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""))
        case 35..<55: _ = await request(server, .GET, "/v1/products/" + String(sku.dropLast(2)))
        case 55..<60: _ = await request(server, .GET, "/v1/skus/" + sku)
        case 60..<68:
            _ = await request(server, .POST, "/v1/cart/items", json: ["skuId": .string(sku), "quantity": 1], token: token)
        case 68..<72: _ = await request(server, .GET, "/v1/cart", token: token)
        case 72..<82:
            let quantity = Int64(1 + random.next() % 2)
            let body: JSONValue = ["items": [["skuId": .string(sku), "quantity": .int(quantity)]], "address": Shopper.address]
            if let reply = await request(server, .POST, "/v1/orders", json: body, token: token), reply.status == 201, let id = reply.json["orderId"]?.stringValue {
                open[id] = OpenOrder(token: token, sku: sku, quantity: quantity, total: reply.json["totalCents"]?.intValue ?? 0)
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
                sold[order.sku, default: 0] += order.quantity
            }
        case 90..<95:
            guard let (id, order) = open.first(where: { _ in random.next() % 2 == 0 }) ?? open.first else { return }
            if let reply = await request(server, .POST, "/v1/orders/\(id)/cancel", token: order.token), reply.status == 200 { open[id] = nil }
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
