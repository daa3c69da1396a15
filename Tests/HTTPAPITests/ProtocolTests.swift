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

/// Error shapes, precedence, idempotency and read-your-writes: the conventions of API.md.
@Suite struct ProtocolTests {
    @Test func unknownRoutesWrongMethodsAndBodies() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let missing = try await api.call(.get, "/v1/nothing")
            #expect(missing.status == .notFound && missing.header("Content-Type") == "application/problem+json" && missing.json["type"] == "about:blank")
            let wrong = try await api.call(.delete, "/v1/products")
            #expect(wrong.status == .methodNotAllowed && wrong.code == "METHOD_NOT_ALLOWED" && wrong.header("Allow") == "GET")
            #expect(try await api.call(.patch, "/v1/orders/X/cancel").header("Allow") == "POST")
            let big = try await api.call(.post, "/v1/auth/login", raw: "{\"username\":\"" + String(repeating: "a", count: 70_000) + "\"}")
            #expect(big.status == .contentTooLarge && big.code == "PAYLOAD_TOO_LARGE")
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            #expect(try await api.call(.post, "/v1/auth/login", raw: deep).code == "BAD_REQUEST")
            // A NUL byte, raw or escaped, is a control character: refused, never stored.
            #expect(try await api.call(.post, "/v1/auth/login", raw: "{\"username\":\"a\u{0}b\",\"password\":\"x\"}").code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/auth/register", raw: #"{"username":"nul_user","password":"pass\u0000word1"}"#).code == "VALIDATION_FAILED")
            let invalidUTF8 = try await api.client.execute(uri: "/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                                           body: .init(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]))
            #expect(invalidUTF8.code == "BAD_REQUEST")
            let many = "{\"items\":[" + Array(repeating: "{}", count: 10_000).joined(separator: ",") + "]}"
            let (token, _) = try await api.customer()
            let tooMany = try await api.call(.post, "/v1/orders", raw: many, token: token)
            #expect(tooMany.code == "VALIDATION_FAILED", "\(tooMany.json)")
            let huge = try await api.call(.post, "/v1/cart/items", raw: #"{"skuId":"x","quantity":99999999999999999999999}"#, token: token)
            #expect(huge.code == "BAD_REQUEST")
            for number in ["1e308", "1.5", "-0.0", "1E400"] {
                let odd = try await api.call(.post, "/v1/cart/items", raw: #"{"skuId":"x","quantity":\#(number)}"#, token: token)
                #expect(odd.code == "BAD_REQUEST", "quantity \(number): \(odd.json)")
            }
        }
    }

    @Test func anIdempotentRetryReturnsTheFirstResponse() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, _) = try await api.customer()
            let body: JSONValue = ["items": [["skuId": "P1-A", "quantity": 1]], "address": API.address]
            let first = try await api.call(.post, "/v1/orders", json: body, token: token, headers: ["Idempotency-Key": "order-1"])
            let head = try api.app.services.store.headPosition
            let retry = try await api.call(.post, "/v1/orders", json: body, token: token, headers: ["Idempotency-Key": "order-1"])
            #expect(first.status == .created && retry.status == .created)
            #expect(first.text == retry.text && first.header("X-Log-Position") == retry.header("X-Log-Position"))
            #expect(try api.app.services.store.headPosition == head)
            // The reply is remembered as the order's id and version: after the order moved on,
            // a retry still answers as the order stood then; so does a retried cancellation.
            let orderId = try #require(first.json["orderId"]?.stringValue)
            let cancel = try await api.call(.post, "/v1/orders/\(orderId)/cancel", token: token, headers: ["Idempotency-Key": "cancel-1"])
            #expect(cancel.status == .ok && cancel.json["status"] == "cancelled")
            let late = try await api.call(.post, "/v1/orders", json: body, token: token, headers: ["Idempotency-Key": "order-1"])
            #expect(late.text == first.text && late.header("X-Log-Position") == first.header("X-Log-Position"))
            let cancelAgain = try await api.call(.post, "/v1/orders/\(orderId)/cancel", token: token, headers: ["Idempotency-Key": "cancel-1"])
            #expect(cancelAgain.text == cancel.text && cancelAgain.status == cancel.status)
            let other = try await api.call(.post, "/v1/orders", json: ["items": [["skuId": "P1-A", "quantity": 2]], "address": API.address], token: token,
                                           headers: ["Idempotency-Key": "order-1"])
            #expect(other.status == .unprocessableContent && other.code == "IDEMPOTENCY_KEY_REUSED")
            // Keys belong to their caller: someone else's "order-1" is theirs.
            let (otherToken, _) = try await api.customer()
            #expect(try await api.call(.post, "/v1/orders", json: body, token: otherToken, headers: ["Idempotency-Key": "order-1"]).status == .created)
            #expect(try await api.call(.post, "/v1/orders", json: body, token: token, headers: ["Idempotency-Key": ""]).code == "BAD_REQUEST")
            // Racing retries still make one order.
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await api.call(.post, "/v1/orders", json: body, token: token, headers: ["Idempotency-Key": "race"]).text }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(results.count == 1)
            try await api.settle()
            #expect(try await api.call(.get, "/v1/orders", token: token).json["total"] == 2)
            // A signed-in replay after sign-in keeps its body sealed but answers the same.
            let login: JSONValue = ["username": "admin", "password": .string(APIHarness.adminPassword)]
            let a = try await api.call(.post, "/v1/auth/login", json: login, headers: ["Idempotency-Key": "login-1"])
            let b = try await api.call(.post, "/v1/auth/login", json: login, headers: ["Idempotency-Key": "login-1"])
            #expect(a.text == b.text)
        }
    }

    @Test func readYourWritesWithMinPosition() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            let created = try await api.product("P1", admin: admin, stock: 0)
            let position = try #require(created.header("X-Log-Position"))
            let read = try await api.call(.get, "/v1/products/P1", headers: ["X-Min-Position": position])
            #expect(read.status == .ok && UInt64(read.header("X-Read-Position") ?? "") ?? 0 >= UInt64(position) ?? 0)
            #expect(try await api.call(.get, "/v1/products/P1", headers: ["X-Min-Position": "abc"]).code == "BAD_REQUEST")
            // Beyond the head: never written, so a client error at once rather than a wait.
            let beyond = try await api.call(.get, "/v1/products/P1", headers: ["X-Min-Position": "999999"])
            #expect(beyond.code == "BAD_REQUEST")
            // An event the projections cannot read stops them (the server stays up): a read
            // that needs it waits 3 s and answers 503; reads that do not still work.
            let poisoned = try await api.app.services.store.append([StreamAppend(streamId: "product-P1", expectedVersion: .any, events: [
                try ProposedEvent(type: "ProductCreated", data: ["garbage": true]),
            ])])
            guard case .completed(_, let position) = poisoned else { Issue.record("the append was not committed"); return }
            let lagging = try await api.call(.get, "/v1/products/P1", headers: ["X-Min-Position": String(position)])
            #expect(lagging.status == .serviceUnavailable && lagging.code == "PROJECTION_LAGGING")
            #expect(try await api.call(.get, "/v1/products/P1").status == .ok)
            let projections = try await api.call(.get, "/v1/admin/projections", token: admin)
            #expect(projections.json["items"]?.arrayValue?.allSatisfy { $0["status"] == "failed" } == true, "\(projections.json)")
            #expect(try await api.call(.get, "/ready").status == .serviceUnavailable)
        }
    }

    @Test func operationsEndpoints() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            #expect(try await api.call(.get, "/health").json == ["status": "ok"])
            try await api.settle()
            #expect(try await api.call(.get, "/ready").status == .ok)
            let metrics = try await api.call(.get, "/metrics")
            #expect(metrics.status == .ok && metrics.text.contains("http_requests_total"))
            // The writer's busy time grows with every command it commits; its queue is a gauge.
            func sample(_ name: String, in text: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
            }
            let busyBefore = try #require(sample("orderlog_writer_busy_seconds_total", in: metrics.text))
            #expect(sample("orderlog_writer_queued_jobs", in: metrics.text) != nil)
            #expect(sample("orderlog_writer_batch_seconds", in: metrics.text).map { $0 >= 0 && $0 < 5 } == true)
            let rememberedBefore = try #require(sample("orderlog_idempotency_remembered_replies", in: metrics.text))
            #expect(try await api.call(.post, "/v1/auth/register", json: ["username": "metrics_user", "password": "password123"],
                                       headers: ["Idempotency-Key": "metrics-registration"]).status == .created)
            let after = try await api.call(.get, "/metrics").text
            let busyAfter = try #require(sample("orderlog_writer_busy_seconds_total", in: after))
            #expect(busyAfter > busyBefore)
            #expect(sample("orderlog_idempotency_remembered_replies", in: after) == rememberedBefore + 1)
            let admin = try await api.admin()
            let projections = try await api.call(.get, "/v1/admin/projections", token: admin)
            #expect(projections.json["items"]?.arrayValue?.count == 7)
            let events = try await api.call(.get, "/v1/admin/events?from=1&limit=2", token: admin)
            #expect(events.json["items"]?.arrayValue?.count == 2 && events.json["next"] == 3)
            #expect(try await api.call(.get, "/v1/admin/events?from=999", token: admin).json == ["items": [], "next": 999])
            let all = try await api.call(.get, "/v1/admin/events?limit=1000", token: admin).text
            #expect(all.contains("[redacted]") && !all.contains("pbkdf2-sha256$"))
            #expect(try await api.call(.get, "/v1/admin/events?limit=1001", token: admin).code == "BAD_REQUEST")
            let registered = try await api.call(.get, "/v1/admin/events?from=1&limit=1000", token: admin).json["items"]?.arrayValue?.first { $0["type"] == "UserRegistered" }
            let userStream = try #require(registered?["streamId"]?.stringValue)
            let stream = try await api.call(.get, "/v1/admin/streams/\(userStream)", token: admin)
            #expect(stream.json["streamId"] == .string(userStream) && stream.json["version"] == 1)
            #expect(try await api.call(.get, "/v1/admin/streams/nope-nope", token: admin).code == "NOT_FOUND")
        }
    }

    @Test func rateLimitingAnswers429WithRetryAfter() async throws {
        let harness = try await APIHarness.make { $0.rateLimit = 3 }
        try await harness.run { api in
            // A bucket of one second's worth: a quick burst past it is refused.
            var responses: [TestResponse] = []
            for _ in 0..<40 {
                let response = try await api.call(.get, "/v1/categories")
                responses.append(response)
                if response.status == .tooManyRequests { break }
            }
            #expect(responses.first?.status == .ok)
            let limited = try #require(responses.last)
            #expect(limited.status == .tooManyRequests && limited.code == "RATE_LIMITED" && limited.header("Retry-After") == "1")
            // Operations endpoints are exempt; unknown routes stay 404.
            #expect(try await api.call(.get, "/health").status == .ok)
            #expect(try await api.call(.get, "/v1/nothing").status == .notFound)
        }
    }
}
