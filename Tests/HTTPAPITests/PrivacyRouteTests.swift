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

@Suite struct PrivacyRouteTests {
    @Test func supportConversations() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, userId) = try await api.customer("carol_1")
            let orderId = try await api.order(token, [("P1-A", 1)]).json["orderId"]?.stringValue ?? ""
            let posted = try await api.call(.post, "/v1/support/messages", json: ["text": "我的快递到哪了？", "orderId": .string(orderId)], token: token)
            #expect(posted.status == .created && posted.json["from"] == "customer" && posted.json["orderId"] == .string(orderId))
            #expect(try await api.call(.post, "/v1/support/messages", json: ["text": "x", "orderId": "NOPE"], token: token).code == "NOT_FOUND")
            #expect(try await api.call(.post, "/v1/support/messages", json: ["text": ""], token: token).code == "VALIDATION_FAILED")
            try await api.settle()
            let inbox = try await api.call(.get, "/v1/admin/support/conversations", token: admin)
            #expect(inbox.json["items"] == [["userId": .string(userId), "username": "carol_1", "lastMessageAt": posted.json["at"] ?? .null, "awaitingReply": true]])
            let reply = try await api.call(.post, "/v1/admin/support/\(userId)/messages", json: ["text": "已发货"], token: admin)
            #expect(reply.json["from"] == "agent")
            #expect(try await api.call(.post, "/v1/admin/support/NOBODY/messages", json: ["text": "hi"], token: admin).code == "NOT_FOUND")
            try await api.settle()
            let thread = try await api.call(.get, "/v1/support/messages", token: token)
            #expect(thread.json["items"]?.arrayValue?.map { $0["text"] } == ["我的快递到哪了？", "已发货"])
            #expect(try await api.call(.get, "/v1/admin/support/conversations", token: admin).json["items"]?[0]?["awaitingReply"] == false)
        }
    }

    @Test func erasureEndToEnd() async throws {
        let harness = try await APIHarness.make()
        let dataDirectory = harness.dir.path
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, userId) = try await api.customer("dave_unique")
            let placed = try await api.call(.post, "/v1/orders", json: [
                "items": [["skuId": "P1-A", "quantity": 1]], "note": "门口放好 unique-note-text",
                "address": ["name": "王五", "phone": "13912345678", "line1": "unique-street-line 8号", "city": "上海"],
            ], token: token)
            let orderId = placed.json["orderId"]?.stringValue ?? ""
            try await api.call(.post, "/v1/support/messages", json: ["text": "unique-support-text 请回电"], token: token)
            try await api.settle()
            for needle in ["unique-street-line", "unique-note-text", "unique-support-text", "dave_unique", "13912345678"] {
                #expect(try !directoryContains(dataDirectory, needle), "\(needle) is on disk in the clear before erasure")
            }
            #expect(try await api.call(.delete, "/v1/me", json: ["password": "wrong-password"], token: token).status == .unauthorized)
            let erased = try await api.call(.delete, "/v1/me", json: ["password": "password123"], token: token)
            #expect(erased.status == .ok && erased.json["userId"] == .string(userId))
            try await api.settle()
            let erasedOrder = try await api.call(.get, "/v1/admin/orders/\(orderId)", token: admin)
            #expect(erasedOrder.isSerializedJSON)
            let order = erasedOrder.json
            #expect(order["status"] == "cancelled" && order["history"]?[1]?["reason"] == "account_erased")
            #expect(order["address"]?["line1"] == "[erased]" && order["address"]?["city"] == "[erased]" && order["note"] == "[erased]")
            #expect(order["totalCents"] == 100)
            let inbox = try await api.call(.get, "/v1/admin/support/conversations", token: admin).json
            #expect(inbox["items"]?[0]?["username"] == "[erased]")
            #expect(try await api.call(.get, "/v1/me", token: token).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/auth/login", json: ["username": "dave_unique", "password": "password123"]).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/auth/register", json: ["username": "Dave_Unique", "password": "password456"]).status == .created)
            guard case .verified = try api.app.services.store.verify() else {
                Issue.record("the chain must still verify")
                return
            }
            for needle in ["unique-street-line", "unique-note-text", "unique-support-text", "13912345678"] {
                #expect(try !directoryContains(dataDirectory, needle), "\(needle) is on disk in the clear after erasure")
            }
        }
    }

    @Test func erasureWaitsForPaidOrders() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, _) = try await api.customer()
            let orderId = try await api.order(token, [("P1-A", 1)]).json["orderId"]?.stringValue ?? ""
            let payment = try await api.call(.post, "/v1/orders/\(orderId)/payments", token: token).json
            _ = try await OrderRouteTests().notify(api, payment: payment, amount: 100)
            #expect(try await api.call(.delete, "/v1/me", json: ["password": "password123"], token: token).code == "INVALID_STATE")
        }
    }
}
