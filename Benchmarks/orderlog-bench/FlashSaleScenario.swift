import ArgumentParser
import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOHTTP1

/// `flash-sale`: N registered buyers race over HTTP for S units of one sku. Checks that
/// exactly min(N·K, S) orders succeed, every other answer is 409 OUT_OF_STOCK, nothing else
/// happens, and the sku ends with available = max(S − N·K, 0) and reserved = the orders
/// placed. Throughput counts successful orders only.
struct FlashSaleScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flash-sale", abstract: "Buyers race for one hot sku over HTTP.")

    @Option(help: "Buyers (registered users).") var buyers = 1000
    @Option(help: "Units in stock.") var stock = 100
    @Option(help: "Concurrent requests.") var concurrency = 128
    @Option(help: "Orders each buyer places, one after another (a long run on one hot sku).") var ordersPerBuyer = 1
    @OptionGroup var target: TargetOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard buyers > 0, stock > 0, concurrency > 0, ordersPerBuyer > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        try await Target.run(target, concurrency: concurrency, output: output) { try await race($0) }
    }

    private func race(_ server: Target) async throws -> Report {
        let progress = Progress()
        let admin = try await server.adminToken(password: target.adminPassword)
        let productId = "FLASH-\(UInt32.random(in: 0...UInt32.max))"
        let skuId = productId + "-SKU"
        let created = try await server.call(.POST, "/v1/admin/products", json: [
            "productId": .string(productId), "title": "秒杀 限量手机", "category": "秒杀",
            "skus": [["skuId": .string(skuId), "specs": ["版本": "限量"], "priceCents": 99_900]],
        ], token: admin)
        guard created.status == 201 else { throw ValidationError("creating the product failed: \(created.status) \(created.json)") }
        var remaining = stock
        while remaining > 0 {
            let chunk = min(remaining, 1_000_000)
            _ = try await server.call(.POST, "/v1/admin/skus/\(skuId)/restock", json: ["quantity": .int(Int64(chunk))], token: admin)
            remaining -= chunk
        }
        progress.show("registering \(buyers) buyers…")
        let tokens = try await server.register(buyers, prefix: "flash\(UInt16.random(in: 0...UInt16.max))", concurrency: min(concurrency, 64)).map(\.token)
        progress.show("racing…")

        let attempts = buyers * ordersPerBuyer
        let body: JSONValue = ["items": [["skuId": .string(skuId), "quantity": 1]],
                               "address": ["name": "张三", "phone": "13800138000", "line1": "建国路88号", "city": "北京"]]
        let next = Counter()
        let start = now()
        let results = try await withThrowingTaskGroup(of: Tally.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var tally = Tally()
                    while true {
                        let index = next.take()
                        guard index < attempts else { return tally }
                        let began = now()
                        do {
                            let reply = try await server.call(.POST, "/v1/orders", json: body, token: tokens[index % tokens.count])
                            tally.latencies.record(nanoseconds: now() - began)
                            switch (reply.status, reply.json["code"]?.stringValue) {
                            case (201, _):
                                tally.ok += 1
                                tally.lastPosition = max(tally.lastPosition, UInt64(reply.json["position"]?.intValue ?? 0))
                            case (409, "OUT_OF_STOCK"): tally.rejected += 1
                            default:
                                tally.errors += 1
                                if tally.firstError == nil { tally.firstError = "\(reply.status) \(reply.json["code"]?.stringValue ?? "")" }
                            }
                        } catch {
                            tally.errors += 1
                            if tally.firstError == nil { tally.firstError = "\(error)" }
                        }
                    }
                }
            }
            var total = Tally()
            for try await part in group { total.merge(part) }
            return total
        }
        let seconds = Double(now() - start) / 1e9
        progress.done()

        var report = Report(scenario: "flash-sale", requests: UInt64(attempts), ok: results.ok, rejected: results.rejected, errors: results.errors,
                            seconds: seconds, throughput: Double(results.ok) / seconds, latencies: results.latencies)
        let expectedOrders = UInt64(min(attempts, stock))
        if results.ok != expectedOrders { report.invariantFailures.append("\(results.ok) orders succeeded, expected \(expectedOrders)") }
        if results.rejected != UInt64(attempts) - expectedOrders {
            report.invariantFailures.append("\(results.rejected) OUT_OF_STOCK, expected \(UInt64(attempts) - expectedOrders)")
        }
        if results.errors > 0 { report.invariantFailures.append("\(results.errors) other answers (first: \(results.firstError ?? "?"))") }
        let sku = try await server.call(.GET, "/v1/skus/\(skuId)", headers: [("X-Min-Position", String(results.lastPosition))])
        let available = sku.json["available"]?.intValue ?? -1
        let reserved = sku.json["reserved"]?.intValue ?? -1
        if available != Int64(max(stock - attempts, 0)) { report.invariantFailures.append("available is \(available), expected \(max(stock - attempts, 0))") }
        if reserved != Int64(expectedOrders) { report.invariantFailures.append("reserved is \(reserved), expected \(expectedOrders)") }
        report.invariantsHold = report.invariantFailures.isEmpty
        report.extra = [("buyers", Double(buyers)), ("stock", Double(stock)), ("concurrency", Double(concurrency)), ("finalAvailable", Double(available)), ("finalReserved", Double(reserved))]
        return report
    }
}

/// Hands out attempt numbers to the racing tasks.
final class Counter: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var value = 0

    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// What one racing task saw.
struct Tally: Sendable {
    var ok: UInt64 = 0
    var rejected: UInt64 = 0
    var errors: UInt64 = 0
    var firstError: String?
    var lastPosition: UInt64 = 0
    var latencies = Latencies()

    mutating func merge(_ other: Tally) {
        ok += other.ok
        rejected += other.rejected
        errors += other.errors
        firstError = firstError ?? other.firstError
        lastPosition = max(lastPosition, other.lastPosition)
        latencies.merge(other.latencies)
    }
}
