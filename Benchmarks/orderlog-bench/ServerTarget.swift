import ArgumentParser
import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOCore
import NIOHTTP1

/// Where the HTTP scenarios send load: `--url` of a running server, or `--spawn` a server on a
/// temporary data directory (rate limit off, cheap password hashing for the many buyers).
struct TargetOptions: ParsableArguments {
    @Option(help: "Base URL of a running server (e.g. http://127.0.0.1:8080).") var url: String?
    @Flag(help: "Start orderlog-server on a temporary data directory for the run.") var spawn = false
    @Option(help: "The admin password of the target (--spawn sets its own).") var adminPassword = ProcessInfo.processInfo.environment["ORDERLOG_ADMIN_PASSWORD"] ?? "bench-admin-password"
    @Option(help: "ORDERLOG_PAYMENT_SECRET of the target, to sign payment notifications.") var paymentSecret = ProcessInfo.processInfo.environment["ORDERLOG_PAYMENT_SECRET"] ?? "bench-payment-secret"

    func validate() throws {
        guard (url == nil) != !spawn else { throw ValidationError("give exactly one of --url URL and --spawn") }
    }
}

/// A running target and the client that drives it.
final class Target: @unchecked Sendable {
    let base: String
    let client: HTTPClient
    private let process: Process?
    private let directory: TemporaryDataDirectory?

    init(_ options: TargetOptions, concurrency: Int) throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 8))
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        if let url = options.url {
            base = url.hasSuffix("/") ? String(url.dropLast()) : url
            process = nil
            directory = nil
            return
        }
        let directory = TemporaryDataDirectory("spawn")
        let process = Process()
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("orderlog-server")
        process.executableURL = binary
        process.arguments = ["--port", "0", "--data", directory.path + "/data"]
        var environment = ProcessInfo.processInfo.environment
        environment["ORDERLOG_RATE_LIMIT"] = "0"
        environment["ORDERLOG_ADMIN_PASSWORD"] = options.adminPassword
        environment["ORDERLOG_PAYMENT_SECRET"] = options.paymentSecret
        environment["ORDERLOG_PBKDF2_ITERATIONS"] = "1000"
        environment["LOG_LEVEL"] = "warning"
        environment["ORDERLOG_MASTER_KEY"] = String(repeating: "ab", count: 32)
        process.environment = environment
        let logPath = directory.path + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Log level warning hides the "listening on" line; find the port through /proc instead.
        var port: Int?
        let deadline = Date().addingTimeInterval(30)
        while port == nil, Date() < deadline, process.isRunning {
            port = Self.listeningPort(of: process.processIdentifier)
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            process.terminate()
            throw ValidationError("orderlog-server did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
        base = "http://127.0.0.1:\(port)"
        self.process = process
        self.directory = directory
    }

    /// The TCP port a process listens on (from /proc/net/tcp and its file descriptors).
    static func listeningPort(of pid: Int32) -> Int? {
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        var inodes = Set<String>()
        for fd in fds {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"), target.hasPrefix("socket:[") {
                inodes.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return nil }
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])) else { continue }  // 0A = LISTEN
            let local = fields[1].split(separator: ":")
            if local.count == 2, let port = Int(local[1], radix: 16) { return port }
        }
        return nil
    }

    /// Starts (or reaches) the target, runs `scenario` against it, shuts it down and prints the
    /// report; exits 1 when an invariant failed.
    static func run(_ options: TargetOptions, concurrency: Int, output: OutputOptions,
                    _ scenario: (Target) async throws -> Report) async throws {
        let server = try Target(options, concurrency: concurrency)
        let report: Report
        do {
            report = try await scenario(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        report.print(json: output.json)
        if !report.invariantsHold { throw ExitCode(1) }
    }

    func shutdown() async {
        try? await client.shutdown()
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        _ = directory
    }

    struct Reply: Sendable {
        let status: Int
        let json: JSONValue
        let headers: HTTPHeaders
    }

    func call(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, token: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json.serialized()))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 << 20)
        let parsed = body.readableBytes == 0 ? JSONValue.null : ((try? JSONParser.parse(Array(body.readableBytesView))) ?? .null)
        return Reply(status: Int(response.status.code), json: parsed, headers: response.headers)
    }

    func adminToken(password: String) async throws -> String {
        let login = try await call(.POST, "/v1/auth/login", json: ["username": "admin", "password": .string(password)])
        guard let token = login.json["token"]?.stringValue else { throw ValidationError("admin login failed (\(login.status)); pass --admin-password") }
        return token
    }

    /// A registered user: the token to act with and the id the shop knows them by.
    struct Account: Sendable {
        let token: String
        let userId: String
    }

    /// Registers `count` users, `concurrency` at a time.
    func register(_ count: Int, prefix: String, concurrency: Int) async throws -> [Account] {
        try await withThrowingTaskGroup(of: [Account].self) { group in
            let perWorker = (count + concurrency - 1) / concurrency
            for worker in 0..<min(concurrency, count) {
                group.addTask {
                    var accounts: [Account] = []
                    for i in 0..<perWorker where worker * perWorker + i < count {
                        let name = "\(prefix)_\(worker * perWorker + i)"
                        let reply = try await self.call(.POST, "/v1/auth/register", json: ["username": .string(name), "password": "bench-password"])
                        guard let token = reply.json["token"]?.stringValue, let userId = reply.json["userId"]?.stringValue else {
                            throw ValidationError("registering \(name) failed: \(reply.status)")
                        }
                        accounts.append(Account(token: token, userId: userId))
                    }
                    return accounts
                }
            }
            return try await group.reduce(into: [Account]()) { $0.append(contentsOf: $1) }
        }
    }
}

/// A progress line on a terminal (stderr), nothing when piped.
struct Progress {
    let enabled = isatty(STDERR_FILENO) != 0

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    func done() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
