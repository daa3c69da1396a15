import Application
import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TestSupport
import Testing

/// The real server process: native TLS with a self-signed certificate, and logs that keep no
/// secret, password, token or personal data even at the most verbose level.
@Suite(.serialized) struct SecurityProcessTests {
    @Test func nativeTLSServesOnlyTLSAndOnlyToClientsThatTrustTheCertificate() async throws {
        let dir = TemporaryDirectory("tls")
        let (cert, key) = try await SelfSignedCertificate.make(in: dir)
        let server = try await ServerProcess(data: dir.sub("data"), arguments: ["--tls-cert", cert, "--tls-key", key])
        defer { server.killNow() }
        #expect(server.scheme == "https" && server.port > 0, "server did not start with TLS: \(server.log)")

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        let trusting = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        defer { _ = trusting.shutdown() }
        let health = try await trusting.execute(HTTPClientRequest(url: server.base + "/health"), timeout: .seconds(10))
        #expect(health.status == .ok)
        var register = HTTPClientRequest(url: server.base + "/v1/auth/register")
        register.method = .POST
        register.headers.add(name: "Content-Type", value: "application/json")
        register.body = .bytes(ByteBuffer(string: #"{"username":"tls_user","password":"password123"}"#))
        let registered = try await trusting.execute(register, timeout: .seconds(10))
        #expect(registered.status == .created)
        #expect(registered.headers.first(name: "Cache-Control") == "no-store")

        // A client that does not trust the certificate is refused by its own TLS; plain HTTP gets nothing.
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.base + "/health"), timeout: .seconds(5))
        }
        let plain = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/health"), timeout: .seconds(5))
        #expect(plain?.status != .ok)
    }

    @Test func logsHoldNoSecretsPasswordsTokensOrPersonalData() async throws {
        let dir = TemporaryDirectory("loghygiene")
        let paymentSecret = "pay-SECRET-f00d"
        let server = try await ServerProcess(data: dir.path, environment: ["LOG_LEVEL": "trace", "ORDERLOG_PAYMENT_SECRET": paymentSecret,
                                                                     "ORDERLOG_METRICS_TOKEN": "metrics-TOKEN-beef"])
        #expect(server.port > 0, "server did not start: \(server.log)")
        let base = server.base
        let password = "Pa55-w0rd-UNIQUE"
        let personal = ["秘密的张三", "13912345678", "朝阳区秘密路77号", "please-ring-twice-NOTE", "where-is-my-parcel-TEXT", "the-box-was-broken-REASON"]

        let admin = try #require(try await HTTP.call(.POST, base + "/v1/auth/login", json: ["username": "admin", "password": "admin-password-1"]).json["token"]?.stringValue)
        _ = try await HTTP.call(.POST, base + "/v1/admin/products", json: [
            "productId": "P1", "title": "手机", "category": "手机", "skus": [["skuId": "S1", "specs": [:], "priceCents": 100]],
        ], token: admin)
        _ = try await HTTP.call(.POST, base + "/v1/admin/skus/S1/restock", json: ["quantity": 10], token: admin)
        let token = try #require(try await HTTP.call(.POST, base + "/v1/auth/register",
                                                     json: ["username": "private_person", "password": .string(password)]).json["token"]?.stringValue)
        #expect(try await HTTP.call(.POST, base + "/v1/auth/login", json: ["username": "private_person", "password": .string("wrong-" + password)]).status == 401)
        let order = try await HTTP.call(.POST, base + "/v1/orders", json: [
            "items": [["skuId": "S1", "quantity": 1]], "address": ["name": .string(personal[0]), "phone": .string(personal[1]), "line1": .string(personal[2]), "city": "北京"],
            "note": .string(personal[3]),
        ], token: token)
        let orderId = try #require(order.json["orderId"]?.stringValue)
        _ = try await HTTP.call(.POST, base + "/v1/support/messages", json: ["text": .string(personal[4])], token: token)
        let payment = try await HTTP.call(.POST, base + "/v1/orders/\(orderId)/payments", token: token).json
        let notification = PaymentNotification(paymentId: payment["paymentId"]?.stringValue ?? "", orderId: orderId, amountCents: 100,
                                               transactionId: "T-1", paidAt: "2026-11-25T08:05:00Z", signature: "")
        let signature = SandboxPaymentProvider(secret: paymentSecret, appId: "").signature(for: notification)
        for sign in [signature, "0" + signature.dropFirst()] {
            _ = try await HTTP.call(.POST, base + "/v1/payments/notify", json: [
                "paymentId": .string(notification.paymentId), "orderId": .string(orderId), "amountCents": 100, "transactionId": "T-1",
                "paidAt": "2026-11-25T08:05:00Z", "signature": .string(sign),
            ])
        }
        _ = try await HTTP.call(.POST, base + "/v1/orders/\(orderId)/refund", json: ["reason": .string(personal[5])], token: token)
        // Failures that a careless server would log with their inputs.
        _ = try await HTTP.call(.GET, base + "/v1/me", token: token + "x")
        _ = try await HTTP.call(.GET, base + "/v1/nothing-here", token: token)
        _ = try await HTTP.call(.GET, base + "/metrics", headers: ["Authorization": "Bearer metrics-TOKEN-beef"])
        _ = try await HTTP.call(.POST, base + "/v1/auth/login", headers: ["Content-Type": "application/json"])

        #expect(await server.terminate() == 0)
        let log = await server.restOfStderr()
        #expect(log.contains("listening on") && log.count > 500, "the log is suspiciously empty:\n\(log)")
        let secrets = [password, "admin-password-1", paymentSecret, "metrics-TOKEN-beef", token, admin, signature] + personal
        for secret in secrets {
            #expect(!log.contains(secret), "the log holds \(secret.prefix(12))…:\n\(log.components(separatedBy: "\n").filter { $0.contains(secret) }.prefix(3))")
        }
        // Token fragments too: the signature half of a token is the secret part.
        for fragment in [token, admin].compactMap({ $0.split(separator: ".").last }) {
            #expect(!log.contains(fragment))
        }
    }
}
