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

@Suite struct AccountRouteTests {
    @Test func registerLoginMeLogout() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let registered = try await api.call(.post, "/v1/auth/register", json: ["username": "Alice_01", "password": "password123"])
            #expect(registered.status == .created)
            #expect(registered.json["username"] == "Alice_01" && registered.json["role"] == "customer")
            #expect(registered.json["position"]?.intValue != nil && registered.header("X-Log-Position") != nil)
            let token = try #require(registered.json["token"]?.stringValue)

            let duplicate = try await api.call(.post, "/v1/auth/register", json: ["username": "alice_01", "password": "password123"])
            #expect(duplicate.status == .conflict && duplicate.code == "ALREADY_EXISTS")

            let login = try await api.call(.post, "/v1/auth/login", json: ["username": "ALICE_01", "password": "password123"])
            #expect(login.status == .ok && login.json["username"] == "Alice_01")
            let wrong = try await api.call(.post, "/v1/auth/login", json: ["username": "alice_01", "password": "nope-nope"])
            let unknown = try await api.call(.post, "/v1/auth/login", json: ["username": "nobody", "password": "nope-nope"])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized && wrong.code == "UNAUTHORIZED" && wrong.text == unknown.text)

            let me = try await api.call(.get, "/v1/me", token: token)
            #expect(me.status == .ok && me.json["username"] == "Alice_01" && me.header("Cache-Control") == "no-store")
            #expect(me.json["token"] == nil)

            let logout = try await api.call(.post, "/v1/auth/logout", token: token)
            #expect(logout.status == .ok && logout.json["position"]?.intValue != nil)
            #expect(try await api.call(.get, "/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func registrationValidatesAndTypesCome400Before422() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let short = try await api.call(.post, "/v1/auth/register", json: ["username": "ab", "password": "short"])
            #expect(short.status == .unprocessableContent && short.code == "VALIDATION_FAILED")
            #expect(short.json["errors"]?.arrayValue?.count == 2)
            let badName = try await api.call(.post, "/v1/auth/register", json: ["username": "not ok!", "password": "password123"])
            #expect(badName.status == .unprocessableContent)
            let missing = try await api.call(.post, "/v1/auth/register", json: ["username": "someone"])
            #expect(missing.json["errors"] == [["field": "password", "message": "is required"]])
            let wrongType = try await api.call(.post, "/v1/auth/register", json: ["username": 12, "password": "x"])
            #expect(wrongType.status == .badRequest && wrongType.code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/auth/register", raw: "{oops").code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/auth/register", raw: "[1,2]").code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/auth/register").code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/auth/register", json: ["username": .null, "password": "password123"]).code == "VALIDATION_FAILED")
        }
    }

    @Test func tokensMustBeValid() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            #expect(try await api.call(.get, "/v1/me").status == .unauthorized)
            #expect(try await api.call(.get, "/v1/me", headers: ["Authorization": "Basic abc"]).status == .unauthorized)
            #expect(try await api.call(.get, "/v1/me", token: "v1.forged.token").code == "UNAUTHORIZED")
            let (token, _) = try await api.customer()
            // The scheme is case-insensitive and blanks around the token are ignored; nothing else passes.
            for header in ["bearer \(token)", "BEARER  \(token) ", "Bearer\t\(token)"] {
                #expect(try await api.call(.get, "/v1/me", headers: ["Authorization": header]).status == .ok, "\(header)")
            }
            for header in ["Bearer", "Bearer ", "Bearer\(token)", "Bearerx \(token)", "Token \(token)", "Bearer \(token)x"] {
                #expect(try await api.call(.get, "/v1/me", headers: ["Authorization": header]).status == .unauthorized, "\(header)")
            }
            // Expired after seven days.
            harness.clock.advance(seconds: 7 * 86_400 + 10)
            #expect(try await api.call(.get, "/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func adminRoutesAreClosedToCustomers() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let (token, _) = try await api.customer()
            #expect(try await api.call(.get, "/v1/admin/orders", token: token).status == .forbidden)
            #expect(try await api.call(.get, "/v1/admin/orders").status == .unauthorized)
            // 401 and 403 come before body errors.
            #expect(try await api.call(.post, "/v1/admin/products", raw: "{bad", token: token).code == "FORBIDDEN")
            #expect(try await api.call(.post, "/v1/admin/products", raw: "{bad").code == "UNAUTHORIZED")
            let admin = try await api.admin()
            #expect(try await api.call(.get, "/v1/admin/orders", token: admin).status == .ok)
        }
    }

    @Test func wechatLoginWithoutSettingsIsNotConfigured() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let response = try await api.call(.post, "/v1/auth/wechat", json: ["code": "abc"])
            #expect(response.status == .serviceUnavailable && response.code == "NOT_CONFIGURED")
        }
    }
}
