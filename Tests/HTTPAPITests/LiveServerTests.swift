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
}
