import CanonicalJSON
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The same application over a real socket on 127.0.0.1.
@Suite struct LiveServerTests {
    @Test func aRealSocketRoundTrip() async throws {
        let harness = try await APIHarness.make()
        try await harness.app.application.test(.live) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok && String(buffer: health.body) == #"{"status":"ok"}"#)
            let register = try await client.execute(uri: "/v1/auth/register", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"username":"live_user","password":"password123"}"#))
            #expect(register.status == .created)
            let unknown = try await client.execute(uri: "/v1/unknown", method: .get)
            #expect(unknown.status == .notFound && unknown.headers[.contentType] == "application/problem+json")
            // Metrics are served to loopback clients.
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
        }
    }

    /// A client that does not percent-encode its query sends raw UTF-8 in the request line,
    /// which is not HTTP/1.1: SwiftNIO's parser refuses it, and the client gets a 400
    /// problem+json (README, "API") — not a reset connection, not a 500 — while the encoded
    /// query is served.
    @Test func aRawUTF8QueryIsABadRequestAndTheEncodedOneIsServed() async throws {
        let harness = try await APIHarness.make()
        try await harness.app.application.test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port)
            connection.send("GET /v1/products?q=手机 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            var answer = ""
            for _ in 0..<50 {
                let received = connection.receive()
                answer += received.text
                if received.closed { break }
            }
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
            #expect(answer.contains("application/problem+json") && answer.contains("the request is not valid HTTP/1.1"), "\(answer)")
            let encoded = try await client.execute(uri: "/v1/products?q=%E6%89%8B%E6%9C%BA", method: .get)
            #expect(encoded.status == .ok)
        }
    }
}
