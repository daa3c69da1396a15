import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import LMDB
import Projections
import TestSupport
import Testing

/// `orderlog-replay` run as a real process against logs the tests create.
@Suite struct ReplayToolTests {
    let tool = BuildProducts.executable("orderlog-replay")

    /// A data directory with a product, an order paid after a while, and read models built;
    /// the harness is closed when this returns.
    func makeDataDirectory(eraseBuyer: Bool = false) async throws -> (dir: TemporaryDirectory, orderId: String, placedPosition: UInt64) {
        let dir = TemporaryDirectory("replay")
        let app = try await Harness(dir: dir)
        // The tools find the master key in the data directory, as the server keeps it.
        _ = FileManager.default.createFile(atPath: dir.path + "/master.key", contents: Data((String(repeating: "42", count: 32) + "\n").utf8))
        let runner = try app.makeRunner()
        let task = Task { try await runner.run() }
        try await app.seedProduct(stock: 20)
        let session = try await app.accounts.register(username: "erin_replay", password: "password1", metadata: app.meta())
        let order = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 2)])
        let placedPosition = try app.store.headPosition
        app.clock.advance(seconds: 60)
        _ = try await app.processor.act(on: order.order.orderId, .requestPayment(paymentId: "PAY1", nonceStr: "n"), userId: nil, metadata: app.meta())
        _ = try await app.processor.recordPayment(orderId: order.order.orderId, paymentId: "PAY1", transactionId: "T", amountCents: 200, paidAt: "x",
                                                  metadata: app.meta())
        if eraseBuyer {
            _ = try await app.processor.act(on: order.order.orderId, .requestRefund(reason: try app.vault.seal("不要了", for: session.userId)),
                                            userId: nil, metadata: app.meta())
            _ = try await app.processor.act(on: order.order.orderId, .decideRefund(approve: true), userId: nil, metadata: app.meta())
            _ = try await app.accounts.erase(userId: session.userId, password: "password1", metadata: app.meta())
        }
        _ = await runner.waitUntil(position: try app.store.headPosition, timeout: .seconds(10))
        task.cancel()
        _ = try? await task.value
        runner.readModels.close()
        app.close()
        return (dir, order.order.orderId, placedPosition)
    }

    @Test func verifyPassesAndAFlippedByteIsCaughtWithItsPosition() async throws {
        let (dir, _, _) = try await makeDataDirectory()
        let clean = try await runProcess(tool, ["verify", "--data", dir.path])
        #expect(clean.status == 0)
        #expect(clean.stdout.hasPrefix("verified ") && clean.stdout.contains(" events, head "))

        let environment = try Environment(path: dir.path + "/events")
        let log = try #require(try environment.openDatabase("log", create: false))
        try environment.write { txn in
            var bytes = try #require(try txn.getBytes(log, BigEndian.bytes(5)))
            let index = try #require(bytes.firstIndex(of: UInt8(ascii: "1")))
            bytes[index] = UInt8(ascii: "7")
            try txn.put(log, BigEndian.bytes(5), bytes)
        }
        environment.close()
        let tampered = try await runProcess(tool, ["verify", "--data", dir.path])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.hasPrefix("position 5: "))
    }

    @Test func streamShowsTheStateAsOfAPositionWithPersonalDataOpened() async throws {
        let (dir, orderId, placedPosition) = try await makeDataDirectory()
        let now = try await runProcess(tool, ["stream", "order-\(orderId)", "--data", dir.path, "--json"])
        #expect(now.status == 0, "\(now.stderr)")
        let current = try JSONParser.parse(Array(now.stdout.utf8))
        #expect(current["state"]?["status"] == "paid")
        #expect(current["state"]?["address"]?["city"] == "北京")
        let then = try await runProcess(tool, ["stream", "order-\(orderId)", "--data", dir.path, "--json", "--at-position", String(placedPosition)])
        let earlier = try JSONParser.parse(Array(then.stdout.utf8))
        #expect(earlier["state"]?["status"] == "awaiting_payment")
        #expect(earlier["events"]?.arrayValue?.count == 1)
        let byTime = try await runProcess(tool, ["stream", "order-\(orderId)", "--data", dir.path, "--at-time", "2026-11-25T08:00:30Z"])
        #expect(byTime.status == 0 && byTime.stdout.contains("\"status\" : \"awaiting_payment\""))
        #expect(try await runProcess(tool, ["stream", "order-NOPE", "--data", dir.path]).status == 1)
        #expect(try await runProcess(tool, ["stream", "order-x", "--data", dir.path, "--at-time", "yesterday"]).status == 2)
    }

    @Test func erasedPersonalDataReadsErasedButTheChainVerifies() async throws {
        let (dir, orderId, _) = try await makeDataDirectory(eraseBuyer: true)
        let shown = try await runProcess(tool, ["stream", "order-\(orderId)", "--data", dir.path, "--json"])
        let state = try JSONParser.parse(Array(shown.stdout.utf8))["state"]
        #expect(state?["address"]?["line1"] == "[erased]")
        #expect(state?["refund"]?["reason"] == "[erased]")
        #expect(try await runProcess(tool, ["verify", "--data", dir.path]).status == 0)
        // Exports keep the ciphertext exactly as stored, and verify independently.
        let export = try await runProcess(tool, ["export", "--data", dir.path])
        #expect(export.stdout.contains("\"ciphertext\""))
        let independent = try await runProcess("/usr/bin/env", ["python3", BuildProducts.chainVerifier], input: Data(export.stdout.utf8))
        #expect(independent.status == 0, "\(independent.stdout)")
    }

    @Test func exportRoundTripsThroughTheIndependentVerifier() async throws {
        let (dir, _, _) = try await makeDataDirectory()
        let export = try await runProcess(tool, ["export", "--data", dir.path])
        let lines = export.stdout.split(separator: "\n")
        let verified = try await runProcess("/usr/bin/env", ["python3", BuildProducts.chainVerifier], input: Data(export.stdout.utf8))
        #expect(verified.status == 0)
        #expect(verified.stdout.hasPrefix("verified \(lines.count) events"))
        let partial = try await runProcess(tool, ["export", "--data", dir.path, "--from", "3", "--to", "5"])
        #expect(partial.stdout.split(separator: "\n").count == 3)
        #expect(try await runProcess(tool, ["export", "--data", dir.path, "--from", "5", "--to", "3"]).status == 2)
    }

    @Test func rebuildCheckCatchesATamperedReadModel() async throws {
        let (dir, _, _) = try await makeDataDirectory()
        let clean = try await runProcess(tool, ["rebuild", "--check", "--data", dir.path])
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
        #expect(clean.stdout.contains("orders at ") && !clean.stdout.contains("DIFFERENT"))

        let environment = try Environment(path: dir.path + "/readmodels", options: .init(maxDatabases: 256))
        let skus = try #require(try environment.openDatabase("catalog/0/skus", create: false))
        try environment.write { txn in
            var bytes = try #require(try txn.getBytes(skus, Array("S1".utf8)))
            let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"available\":18", with: "\"available\":99")
            bytes = Array(text.utf8)
            try txn.put(skus, Array("S1".utf8), bytes)
        }
        environment.close()
        let tampered = try await runProcess(tool, ["rebuild", "--check", "--data", dir.path, "--projection", "catalog"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("catalog at") && tampered.stdout.contains("DIFFERENT"))
        // Replacing the read models repairs them.
        #expect(try await runProcess(tool, ["rebuild", "--data", dir.path]).status == 0)
        #expect(try await runProcess(tool, ["rebuild", "--check", "--data", dir.path]).status == 0)
        #expect(try await runProcess(tool, ["rebuild", "--check", "--data", dir.path, "--projection", "nope"]).status == 2)
    }

    @Test func usageErrorsExitTwoWithOneLine() async throws {
        let dir = TemporaryDirectory("empty")
        for arguments in [["verify"], ["verify", "--data", dir.path], ["frobnicate"], ["stats", "--data", "/nonexistent"]] {
            let result = try await runProcess(tool, arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func statsCountsByTypeAndCategory() async throws {
        let (dir, _, _) = try await makeDataDirectory()
        let stats = try await runProcess(tool, ["stats", "--data", dir.path, "--json"])
        let json = try JSONParser.parse(Array(stats.stdout.utf8))
        #expect(json["byType"]?["OrderPlaced"] == 1 && json["byCategory"]?["sku"] != nil)
        #expect((json["events"]?.intValue ?? 0) > 5 && (json["logBytes"]?.intValue ?? 0) > 0)
        // The file is the pages and the headroom zeroed past them: never less than the pages.
        #expect((json["fileBytes"]?.intValue ?? 0) >= (json["logBytes"]?.intValue ?? .max))
    }

    @Test func backupWhileAWriterAppendsThenRestoreVerifyAndServe() async throws {
        let dir = TemporaryDirectory("live")
        let app = try await Harness(dir: dir)
        _ = FileManager.default.createFile(atPath: dir.path + "/master.key", contents: Data((String(repeating: "42", count: 32) + "\n").utf8))
        try await app.seedProduct(stock: 100_000)
        let runner = try app.makeRunner()
        let projecting = Task { try await runner.run() }
        let writing = Task {
            for i in 0..<2000 { _ = try await app.place(userId: "U\(i % 13)", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
        }
        try await Task.sleep(for: .milliseconds(150))
        let backup = TemporaryDirectory("backup")
        let result = try await runProcess(tool, ["backup", "--data", dir.path, "--out", backup.path + "/copy"])
        #expect(result.status == 0, "\(result.stderr)")
        try await writing.value
        projecting.cancel()
        _ = try? await projecting.value
        runner.readModels.close()
        app.close()

        let target = TemporaryDirectory("restored")
        #expect(try await runProcess(tool, ["restore", "--from", backup.path + "/copy", "--data", target.path]).status == 0)
        #expect(try await runProcess(tool, ["restore", "--from", backup.path + "/copy", "--data", target.path]).status == 2, "a non-empty target needs --force")
        #expect(try await runProcess(tool, ["restore", "--from", backup.path + "/copy", "--data", target.path, "--force"]).status == 0)
        #expect(try await runProcess(tool, ["verify", "--data", target.path]).status == 0)
        // No read-model checkpoint is ahead of the log it was copied with.
        let check = try await runProcess(tool, ["rebuild", "--check", "--data", target.path])
        #expect(check.status == 0, "\(check.stdout)")
        // And it serves.
        let restored = try await Harness(dir: target)
        let readModels = try restored.makeRunner()
        let serving = Task { try await readModels.run() }
        _ = await readModels.waitUntil(position: try restored.store.headPosition, timeout: .seconds(10))
        let sku = try CatalogQueries(readModels: readModels.readModels).skuDocument("S1").value
        #expect(sku?.reserved == Int64(try restored.sku("S1").reserved))
        serving.cancel()
        _ = try? await serving.value
        readModels.readModels.close()
        restored.close()
    }
}
