import CanonicalJSON
import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// `kill -9` of the real server in the middle of concurrent orders and cancellations, three
/// times over one data directory. After each restart every acknowledged order and cancellation
/// is there, the sku's ledger balances against the orders, the hash chain verifies, and the
/// read models catch up with the log.
@Suite(.serialized) struct CrashTests {
    static let address: JSONValue = ["name": "张三", "phone": "13800138000", "line1": "建国路88号", "city": "北京"]
    static let restocked: Int64 = 1_000_000

    @Test func killMinusNineMidLoadLosesNothingAcknowledged() async throws {
        let dir = TemporaryDirectory("crash")
        var server = try await ServerProcess(data: dir.path)
        #expect(server.port > 0, "server did not start: \(server.log)")
        let admin = try #require(try await HTTP.call(.POST, server.base + "/v1/auth/login",
                                                     json: ["username": "admin", "password": "admin-password-1"]).json["token"]?.stringValue)
        _ = try await HTTP.call(.POST, server.base + "/v1/admin/products", json: [
            "productId": "P1", "title": "秒杀 手机", "category": "手机", "skus": [["skuId": "S1", "specs": [:], "priceCents": 100]],
        ], token: admin)
        _ = try await HTTP.call(.POST, server.base + "/v1/admin/skus/S1/restock", json: ["quantity": .int(Self.restocked)], token: admin)
        var buyers: [(username: String, token: String)] = []
        for index in 0..<4 {
            let name = "crash_buyer_\(index)"
            let registered = try await HTTP.call(.POST, server.base + "/v1/auth/register", json: ["username": .string(name), "password": "password123"])
            buyers.append((name, try #require(registered.json["token"]?.stringValue)))
        }

        var placed: Set<String> = []
        var cancelled: Set<String> = []
        for round in 0..<3 {
            let base = server.base
            let tokens = buyers.map(\.token)
            // Kill after a number of acknowledgements, not a time: mid-load however busy the machine.
            let killAfter = 60 + 40 * round
            let acknowledgements = Locked(0)
            let pid = server.process.processIdentifier
            // 16 clients place orders and cancel every third one until the server dies under them.
            let acknowledged = await withTaskGroup(of: (placed: [String], cancelled: [String]).self) { group in
                for client in 0..<16 {
                    group.addTask {
                        var mine: (placed: [String], cancelled: [String]) = ([], [])
                        let token = tokens[client % tokens.count]
                        while true {
                            let order = try? await HTTP.call(.POST, base + "/v1/orders", json: [
                                "items": [["skuId": "S1", "quantity": 1]], "address": Self.address,
                            ], token: token, timeout: 5)
                                            guard let order, order.status == 201, let id = order.json["orderId"]?.stringValue else { return mine }
                            mine.placed.append(id)
                            acknowledgements.withLock { $0 += 1 }
                            if mine.placed.count % 3 == 0 {
                                guard let cancel = try? await HTTP.call(.POST, base + "/v1/orders/\(id)/cancel", token: token, timeout: 5),
                                      cancel.status == 200 else { return mine }
                                mine.cancelled.append(id)
                            }
                        }
                    }
                }
                group.addTask {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while acknowledgements.value < killAfter, ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                    kill(pid, SIGKILL)
                    return ([], [])
                }
                return await group.reduce(into: (placed: [String](), cancelled: [String]())) {
                    $0.placed += $1.placed
                    $0.cancelled += $1.cancelled
                }
            }
            _ = await server.process.exitStatus()
            #expect(server.process.terminationReason == .uncaughtSignal && server.process.terminationStatus == SIGKILL)
            #expect(acknowledged.placed.count >= killAfter, "round \(round): the load stopped before the kill")
            placed.formUnion(acknowledged.placed)
            cancelled.formUnion(acknowledged.cancelled)

            // The chain verifies right after the crash, before anything repairs anything.
            let verify = try await runProcess(BuildProducts.executable("orderlog-replay"), ["verify", "--data", dir.path])
            #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")

            server = try await ServerProcess(data: dir.path)
            #expect(server.port > 0, "restart \(round) failed: \(server.log)")
            try await Self.expectEverythingAcknowledgedIsThere(server, admin: admin, placed: placed, cancelled: cancelled, round: round)
        }
        _ = await server.terminate()
    }

    /// Waits for the read models to reach the head, then checks every acknowledged fact and the ledger.
    static func expectEverythingAcknowledgedIsThere(_ server: ServerProcess, admin: String, placed: Set<String>, cancelled: Set<String>,
                                                    round: Int) async throws {
        // Tokens issued before the crash still work.
        #expect(try await HTTP.call(.GET, server.base + "/v1/me", token: admin).status == 200)

        // The read models catch up with the whole log (lag = head − applied position): only
        // then do the counts below all describe the same moment.
        var behind: [JSONValue] = []
        for _ in 0..<600 {
            let projections = try await HTTP.call(.GET, server.base + "/v1/admin/projections", token: admin)
            let items = projections.json["items"]?.arrayValue ?? []
            behind = items.filter { $0["lag"]?.intValue != 0 || $0["status"]?.stringValue != "running" }
            if !items.isEmpty && behind.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(behind.isEmpty, "round \(round): projections did not catch up: \(behind)")
        #expect(try await HTTP.call(.GET, server.base + "/ready").status == 200)

        let open = try await HTTP.call(.GET, server.base + "/v1/admin/orders?status=awaiting_payment&pageSize=1", token: admin)
        let closed = try await HTTP.call(.GET, server.base + "/v1/admin/orders?status=cancelled&pageSize=1", token: admin)
        let awaiting = open.json["total"]?.intValue ?? -1
        let cancelledCount = closed.json["total"]?.intValue ?? -1
        // More may be committed than acknowledged (a reply lost in the kill), never fewer.
        #expect(awaiting + cancelledCount >= Int64(placed.count), "round \(round): \(awaiting) + \(cancelledCount) orders, \(placed.count) acknowledged")
        #expect(cancelledCount >= Int64(cancelled.count))

        for id in placed.shuffled().prefix(40) {
            let order = try await HTTP.call(.GET, server.base + "/v1/admin/orders/\(id)", token: admin)
            #expect(order.status == 200, "round \(round): acknowledged order \(id) lost")
            if cancelled.contains(id) { #expect(order.json["status"]?.stringValue == "cancelled", "round \(round): cancellation of \(id) lost") }
        }
        for id in cancelled.shuffled().prefix(20) {
            #expect(try await HTTP.call(.GET, server.base + "/v1/admin/orders/\(id)", token: admin).json["status"]?.stringValue == "cancelled")
        }

        // The ledger: nothing sold, every open order holds its one unit, the rest is available.
        let sku = try await HTTP.call(.GET, server.base + "/v1/skus/S1").json
        let available = sku["available"]?.intValue ?? -1
        let reserved = sku["reserved"]?.intValue ?? -1
        #expect(reserved == awaiting, "round \(round): reserved \(reserved), open orders \(awaiting)")
        #expect(available + reserved + (sku["sold"]?.intValue ?? 0) == restocked, "round \(round): ledger \(sku)")

    }
}
