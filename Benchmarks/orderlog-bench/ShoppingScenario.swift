import Application
import ArgumentParser
import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOHTTP1

/// `shopping`: many users browse, search, fill carts and check them out, order, pay (signed
/// notifications), cancel and write to customer service (an agent answering), in a realistic
/// mix, for a while. Afterwards every sku's ledger must balance and its reservations and sales
/// must equal what the buyers' orders say, and every conversation must hold the messages its
/// customer and the agent wrote and sit in the agents' inbox as awaiting a reply exactly when
/// the customer wrote last.
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
        let accounts = try await server.register(concurrency * 2, prefix: "shop\(run)", concurrency: min(concurrency, 32))
        let provider = SandboxPaymentProvider(secret: target.paymentSecret, appId: "")
        let deadline = now() + UInt64(duration * 1e9)
        let start = now()
        progress.show("shopping for \(Int(duration)) s…")
        let allSkus = skuIds
        let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var shopper = Shopper(accounts: [accounts[worker], accounts[worker + concurrency]], admin: admin, skus: allSkus,
                                          seed: UInt64(worker + 1))
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
            for order in shopper.open.values { for (sku, units) in order.lines { reserved[sku, default: 0] += units } }
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
        try await checkConversations(server, shoppers, admin: admin, after: lastPosition, into: &report)
        progress.done()
        report.invariantsHold = report.invariantFailures.isEmpty
        let supportMessages = shoppers.reduce(0) { $0 + $1.messages.reduce(0, +) }
        report.extra = [("orders", Double(orders)), ("ordersPerSecond", Double(orders) / seconds), ("concurrency", Double(concurrency)), ("skus", Double(skuIds.count)),
                        ("supportMessages", Double(supportMessages)), ("checkouts", Double(shoppers.reduce(0) { $0 + $1.checkouts }))]
        return report
    }

    /// Each account's conversation holds what was written to it, and the agents' inbox (read a
    /// page at a time, filtered) shows it awaiting a reply exactly when its customer wrote last.
    private func checkConversations(_ server: Target, _ shoppers: [Shopper], admin: String, after position: UInt64, into report: inout Report) async throws {
        let readYourWrites = [("X-Min-Position", String(position))]
        var awaiting = Set<String>()
        var page = 1
        while true {
            let inbox = try await server.call(.GET, "/v1/admin/support/conversations?awaitingReply=true&pageSize=100&page=\(page)", token: admin,
                                              headers: readYourWrites).json
            let items = inbox["items"]?.arrayValue ?? []
            for item in items { if let userId = item["userId"]?.stringValue { awaiting.insert(userId) } }
            if items.count < 100 { break }
            page += 1
        }
        for shopper in shoppers {
            for (index, account) in shopper.accounts.enumerated() where shopper.messages[index] > 0 {
                let thread = try await server.call(.GET, "/v1/support/messages?pageSize=1", token: account.token, headers: readYourWrites).json
                if thread["total"]?.intValue != Int64(shopper.messages[index]) {
                    report.invariantFailures.append("\(account.userId)'s conversation holds \(thread["total"]?.intValue ?? -1) messages, \(shopper.messages[index]) were written")
                }
                if awaiting.contains(account.userId) != shopper.customerWroteLast[index] {
                    report.invariantFailures.append("\(account.userId) is \(awaiting.contains(account.userId) ? "" : "not ")in the inbox as awaiting a reply, but \(shopper.customerWroteLast[index] ? "the customer" : "the agent") wrote last")
                }
            }
        }
    }
}
