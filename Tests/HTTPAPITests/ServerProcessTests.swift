import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// `orderlog-server` as a real process: start-up, the data-directory lock, and SIGTERM.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let errors = Pipe()

    init(data: String, environment: [String: String] = [:], arguments: [String] = []) async throws {
        process.executableURL = URL(fileURLWithPath: BuildProducts.executable("orderlog-server"))
        process.arguments = ["--port", "0", "--data", data] + arguments
        var env = ProcessInfo.processInfo.environment
        env["ORDERLOG_PBKDF2_ITERATIONS"] = "1000"
        env["ORDERLOG_ADMIN_PASSWORD"] = "admin-password-1"
        env["ORDERLOG_PAYMENT_SECRET"] = "s"
        env["ORDERLOG_RATE_LIMIT"] = "0"
        env["LOG_LEVEL"] = "info"  // the start-up line below is logged at info; a caller may ask for more
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let started = try await offThePool { [process = Handed(value: process), errors = Handed(value: errors)] in
            Self.awaitListeningLine(process.value, errors.value)
        }
        port = started.port ?? 0
        scheme = started.scheme
        log = started.seen
        // Keep draining stderr, so a chatty server never blocks on a full pipe.
        let drained = self.drained
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                drained.withLock { $0.finished = true }
            } else {
                drained.withLock { $0.data.append(chunk) }
            }
        }
    }

    /// Reads stderr until the one line with the bound address, "listening on http(s)://127.0.0.1:PORT",
    /// or until the process exits or 30 s pass. Blocking: run it off the cooperative pool.
    private static func awaitListeningLine(_ process: Process, _ errors: Pipe) -> (port: Int?, scheme: String, seen: String) {
        var seen = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning || !seen.isEmpty {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty && !process.isRunning { break }
            seen += String(decoding: chunk, as: UTF8.self)
            for scheme in ["http", "https"] {
                if let range = seen.range(of: "listening on \(scheme)://127.0.0.1:") {
                    return (Int(seen[range.upperBound...].prefix { $0.isNumber }), scheme, seen)
                }
            }
        }
        return (nil, "http", seen)
    }

    private(set) var log: String
    private let drained = Locked<(data: Data, finished: Bool)>((Data(), false))

    let scheme: String
    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    func terminate(signal: Int32 = SIGTERM) async -> Int32 {
        kill(process.processIdentifier, signal)
        return await process.exitStatus()
    }

    /// Kills the server and reaps it, for a `defer` (which cannot await); SIGKILL ends it at once.
    func killNow() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Everything the server wrote to stderr; waits (up to 5 s) for the pipe to close once it exited.
    func restOfStderr() async -> String {
        let deadline = ContinuousClock.now + .seconds(5)
        while !process.isRunning, !drained.withLock({ $0.finished }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return log + String(decoding: drained.withLock { $0.data }, as: UTF8.self)
    }
}

struct HTTP {
    static func call(_ method: HTTPMethod, _ url: String, json: JSONValue? = nil, token: String? = nil, headers: [String: String] = [:],
                     timeout: Int64 = 30) async throws -> (status: Int, json: JSONValue, headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json.serialized()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), (try? JSONParser.parse(Array(body.readableBytesView))) ?? .null, response.headers)
    }
}

@Suite(.serialized) struct ServerProcessTests {
    @Test func sigtermFinishesInFlightOrdersExitsZeroAndLosesNothing() async throws {
        let dir = TemporaryDirectory("sigterm")
        let server = try await ServerProcess(data: dir.path)
        #expect(server.port > 0, "server did not start: \(server.log)")
        let admin = try await HTTP.call(.POST, server.base + "/v1/auth/login", json: ["username": "admin", "password": "admin-password-1"]).json["token"]?.stringValue
        _ = try await HTTP.call(.POST, server.base + "/v1/admin/products", json: [
            "productId": "P1", "title": "手机", "category": "手机", "skus": [["skuId": "S1", "specs": [:], "priceCents": 100]],
        ], token: admin)
        _ = try await HTTP.call(.POST, server.base + "/v1/admin/skus/S1/restock", json: ["quantity": 100000], token: admin)
        let customer = try await HTTP.call(.POST, server.base + "/v1/auth/register", json: ["username": "sigterm_buyer", "password": "password123"])
        let token = try #require(customer.json["token"]?.stringValue)

        // Orders keep flowing while SIGTERM arrives; every acknowledged one must survive.
        let acknowledged = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<200 {
                        guard let placed = try? await HTTP.call(.POST, server.base + "/v1/orders", json: [
                            "items": [["skuId": "S1", "quantity": 1]], "address": ["name": "张三", "phone": "13800138000", "line1": "路1号", "city": "北京"],
                        ], token: token, timeout: 3), placed.status == 201, let id = placed.json["orderId"]?.stringValue else { break }
                        ids.append(id)
                    }
                    return ids
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(400))
                kill(server.process.processIdentifier, SIGTERM)
                return []
            }
            return await group.reduce(into: [String]()) { $0.append(contentsOf: $1) }
        }
        _ = await server.process.exitStatus()
        let exitLog = await server.restOfStderr()
        #expect(server.process.terminationStatus == 0, "exit status \(server.process.terminationStatus): \(exitLog)")
        #expect(acknowledged.count > 10)

        let restarted = try await ServerProcess(data: dir.path)
        defer { restarted.killNow() }
        let login = try await HTTP.call(.POST, restarted.base + "/v1/auth/login", json: ["username": "sigterm_buyer", "password": "password123"])
        let fresh = try #require(login.json["token"]?.stringValue)
        // Login answers with its account stream's position, not the log's head: wait until the
        // projections have caught up with the whole log (orders committed during shutdown
        // included), so the order list and the sku below are read at the same position.
        let restartedAdmin = try await HTTP.call(.POST, restarted.base + "/v1/auth/login", json: ["username": "admin", "password": "admin-password-1"]).json["token"]?.stringValue
        var head = "0"
        for _ in 0..<100 {
            let items = try await HTTP.call(.GET, restarted.base + "/v1/admin/projections", token: restartedAdmin).json["items"]?.arrayValue ?? []
            if !items.isEmpty, items.allSatisfy({ $0["lag"]?.intValue == 0 }) {
                head = String(items.compactMap { $0["position"]?.intValue }.max() ?? 0)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(head != "0", "projections did not catch up after the restart")
        let list = try await HTTP.call(.GET, restarted.base + "/v1/orders?pageSize=1", token: fresh, headers: ["X-Min-Position": head])
        #expect((list.json["total"]?.intValue ?? 0) >= Int64(acknowledged.count))
        for id in acknowledged.shuffled().prefix(25) {
            #expect(try await HTTP.call(.GET, restarted.base + "/v1/orders/\(id)", token: fresh).status == 200, "acknowledged order \(id) lost")
        }
        let sku = try await HTTP.call(.GET, restarted.base + "/v1/skus/S1", headers: ["X-Min-Position": head]).json
        #expect(sku["reserved"]?.intValue == list.json["total"]?.intValue)
    }

    @Test func aSecondServerOnTheSameDataDirectoryExitsTwo() async throws {
        let dir = TemporaryDirectory("lock")
        let first = try await ServerProcess(data: dir.path)
        defer { first.killNow() }
        #expect(first.port > 0)
        let second = try await ServerProcess(data: dir.path)
        _ = await second.process.exitStatus()
        #expect(second.process.terminationStatus == 2)
        let secondLog = await second.restOfStderr()
        #expect(secondLog.contains("another orderlog-server is running"))
    }
}
