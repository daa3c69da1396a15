import Application
import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Projections
import TestSupport
import Testing

/// The real application on a temp data directory, with a hand-moved clock.
struct APIHarness {
    let dir: TemporaryDirectory
    let clock: ManualClock
    let app: OrderLogApp
    static let adminPassword = "admin-password-1"
    static let paymentSecret = "test-payment-secret"

    static func make(dir: TemporaryDirectory = TemporaryDirectory("api"), clock: ManualClock = ManualClock(),
                     _ adjust: (inout AppConfiguration) -> Void = { _ in }) async throws -> APIHarness {
        var configuration = AppConfiguration()
        configuration.dataDirectory = dir.path
        configuration.port = 0
        configuration.pbkdf2Iterations = 1000
        configuration.adminPassword = adminPassword
        configuration.paymentSecret = paymentSecret
        configuration.masterKey = String(repeating: "ab", count: 32)
        configuration.rateLimit = 0
        adjust(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try await OrderLogApp.build(configuration: configuration, clock: clock, logger: logger)
        return APIHarness(dir: dir, clock: clock, app: app)
    }

    /// Runs `body` against the router (no socket), with the app's services running.
    func run<Value: Sendable>(_ body: @escaping @Sendable (API) async throws -> Value) async throws -> Value {
        try await app.application.test(.router) { client in try await body(API(client: client, app: app)) }
    }
}

/// A small client for the API's conventions: JSON bodies, bearer tokens, problem codes.
struct API: Sendable {
    let client: any TestClientProtocol
    let app: OrderLogApp

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil, raw: String? = nil, token: String? = nil,
              headers: [String: String] = [:]) async throws -> TestResponse {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        var body: ByteBuffer?
        if let json {
            fields[.contentType] = "application/json"
            body = ByteBuffer(bytes: json.serialized())
        } else if let raw {
            fields[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        return try await client.execute(uri: path, method: method, headers: fields, body: body)
    }

    /// Registers a customer and returns its token and user id.
    func customer(_ name: String = "buyer_\(UInt32.random(in: 0...UInt32.max))") async throws -> (token: String, userId: String) {
        let response = try await call(.post, "/v1/auth/register", json: ["username": .string(name), "password": "password123"])
        guard response.status == .created, let token = response.json["token"]?.stringValue, let userId = response.json["userId"]?.stringValue else {
            throw TestFailure("register failed: \(response.status) \(response.text)")
        }
        return (token, userId)
    }

    func admin() async throws -> String {
        let response = try await call(.post, "/v1/auth/login", json: ["username": "admin", "password": .string(APIHarness.adminPassword)])
        guard let token = response.json["token"]?.stringValue else { throw TestFailure("admin login failed: \(response.text)") }
        return token
    }

    /// Creates a product with skus `<id>-A` (100 fen) and `<id>-B` (250 fen), each stocked.
    @discardableResult
    func product(_ id: String, admin: String, title: String = "华为智能手机 Pro", stock: Int = 10, limit: Int? = nil) async throws -> TestResponse {
        var skuA: [String: JSONValue] = ["skuId": .string(id + "-A"), "specs": ["颜色": "黑"], "priceCents": 100]
        if let limit { skuA["limitPerUser"] = .int(Int64(limit)) }
        let created = try await call(.post, "/v1/admin/products", json: [
            "productId": .string(id), "title": .string(title), "category": "手机", "tags": ["5G"], "imageUrls": [.string("https://img/\(id).jpg")],
            "skus": [.object(skuA), ["skuId": .string(id + "-B"), "specs": ["颜色": "白"], "priceCents": 250]],
        ], token: admin)
        for sku in [id + "-A", id + "-B"] where stock > 0 {
            try await call(.post, "/v1/admin/skus/\(sku)/restock", json: ["quantity": .int(Int64(stock))], token: admin)
        }
        return created
    }

    static let address: JSONValue = ["name": "张三", "phone": "13800138000", "line1": "长安街1号", "city": "北京"]

    func order(_ token: String, _ items: [(String, Int)]) async throws -> TestResponse {
        try await call(.post, "/v1/orders", json: ["items": .array(items.map { JSONValue.object(["skuId": .string($0.0), "quantity": .int(Int64($0.1))]) }),
                                                   "address": API.address], token: token)
    }

    /// Waits until the read models have applied everything written so far.
    func settle() async throws {
        let head = try app.services.store.headPosition
        _ = await app.services.runner.waitUntil(position: head, timeout: .seconds(10))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue { (try? JSONParser.parse(Array(body.readableBytesView))) ?? .null }
    /// The body is exactly what `JSONValue.serialized()` writes for it: members sorted, nothing
    /// repeated or left over (for answers written straight to bytes).
    var isSerializedJSON: Bool { Array(body.readableBytesView) == json.serialized() && json != .null }
    /// The problem+json `code`.
    var code: String? { json["code"]?.stringValue }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}
