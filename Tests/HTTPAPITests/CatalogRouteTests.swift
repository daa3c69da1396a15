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

@Suite struct CatalogRouteTests {
    @Test func adminBuildsTheCatalogAndCustomersBrowseIt() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            let created = try await api.product("P1", admin: admin)
            #expect(created.status == .created)
            #expect(created.json["skus"]?.arrayValue?.count == 2 && created.json["listed"] == true)
            #expect(created.json["skus"]?[0]?["limitPerUser"] == .null)
            #expect(try await api.product("P1", admin: admin, stock: 0).code == "ALREADY_EXISTS")
            let clash = try await api.call(.post, "/v1/admin/products", json: [
                "productId": "P2", "title": "x", "category": "c", "skus": [["skuId": "P1-A", "specs": [:], "priceCents": 1]],
            ], token: admin)
            #expect(clash.code == "ALREADY_EXISTS")
            try await api.settle()

            let detail = try await api.call(.get, "/v1/products/P1")
            #expect(detail.status == .ok && detail.json["skus"]?[0]?["available"] == 10 && detail.header("X-Read-Position") != nil)
            #expect(try await api.call(.get, "/v1/products/NOPE").code == "NOT_FOUND")
            let sku = try await api.call(.get, "/v1/skus/P1-A")
            #expect(sku.json["available"] == 10 && sku.json["version"] == 2 && sku.header("ETag") == "\"2\"")
            // Path parameters are percent-decoded (plain ones skip the decoder).
            #expect(try await api.call(.get, "/v1/skus/P1%2DA").json["available"] == 10)
            #expect(try await api.call(.get, "/v1/skus/%E6%89%8B-1").json["detail"] == "no sku 手-1")
            let list = try await api.call(.get, "/v1/products?q=%E6%89%8B%E6%9C%BA")
            #expect(list.json["total"] == 1 && list.json["items"]?[0]?["minPriceCents"] == 100)
            #expect(list.json["page"] == 1 && list.json["pageSize"] == 20)
            // Surrounding spaces and line breaks are not part of the query; only spaces is no query.
            #expect(try await api.call(.get, "/v1/products?q=%20%E6%89%8B%E6%9C%BA%0A%E3%80%80&pageSize=5").json["total"] == 1)
            #expect(try await api.call(.get, "/v1/products?q=%20%20&page=1").json["total"] == 1)
            #expect(try await api.call(.get, "/v1/products?q=\(String(repeating: "a", count: 201))").code == "BAD_REQUEST")
            // Escapes that do not spell UTF-8 are refused, not searched for as U+FFFD (which
            // matched every product); a malformed escape is kept as text, as the router does.
            for query in ["q=%FF%FE", "q=%E6%89", "category=%C0%AF", "q=%E6%89%8B&sort=%80"] {
                let refused = try await api.call(.get, "/v1/products?\(query)")
                #expect(refused.code == "BAD_REQUEST" && refused.json["detail"] == "the query string is not UTF-8 once its percent escapes are decoded")
            }
            #expect(try await api.call(.get, "/v1/products?q=%E6%89%8B%ZZ").status == .ok)
            #expect(try await api.call(.get, "/v1/products?q=100%").status == .ok)
            #expect(try await api.call(.get, "/v1/categories").json["items"] == [["category": "手机", "productCount": 1]])
            #expect(try await api.call(.get, "/v1/products?pageSize=0").code == "BAD_REQUEST")
            #expect(try await api.call(.get, "/v1/products?sort=cheapest").code == "BAD_REQUEST")
        }
    }

    @Test func skuPriceLimitStockAndVersions() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let price = try await api.call(.put, "/v1/admin/skus/P1-A/price", json: ["priceCents": 150], token: admin)
            #expect(price.status == .ok && price.json["priceCents"] == 150 && price.header("ETag") == "\"3\"")
            let stale = try await api.call(.put, "/v1/admin/skus/P1-A/price", json: ["priceCents": 160], token: admin, headers: ["If-Match": "\"2\""])
            #expect(stale.status == .preconditionFailed && stale.code == "VERSION_CONFLICT")
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/price", json: ["priceCents": 160], token: admin, headers: ["If-Match": "\"3\""]).status == .ok)
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/price", json: ["priceCents": -1], token: admin).code == "VALIDATION_FAILED")
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/price", json: ["priceCents": .double(1.5)], token: admin).code == "BAD_REQUEST")
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/price", raw: #"{"priceCents":1e308}"#, token: admin).code == "BAD_REQUEST")
            let huge = try await api.call(.put, "/v1/admin/skus/P1-A/price", raw: #"{"priceCents":99999999999999999999}"#, token: admin)
            #expect(huge.code == "BAD_REQUEST" && huge.json["detail"] == "priceCents must be an integer, not a fraction, an exponent or beyond 64 bits")
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/limit", json: ["limitPerUser": 2], token: admin).json["limitPerUser"] == 2)
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/limit", json: ["limitPerUser": .null], token: admin).json["limitPerUser"] == .null)
            #expect(try await api.call(.put, "/v1/admin/skus/P1-A/limit", json: ["limitPerUser": 100], token: admin).code == "VALIDATION_FAILED")
            let adjust = try await api.call(.post, "/v1/admin/skus/P1-A/adjust", json: ["delta": -11, "reason": "stock-take"], token: admin)
            #expect(adjust.status == .conflict && adjust.code == "OUT_OF_STOCK" && adjust.json["skuIds"] == ["P1-A"])
            #expect(try await api.call(.post, "/v1/admin/skus/P1-A/adjust", json: ["delta": 0, "reason": "x"], token: admin).code == "VALIDATION_FAILED")
            #expect(try await api.call(.post, "/v1/admin/skus/P1-A/adjust", json: ["delta": -3, "reason": "lost"], token: admin).json["available"] == 7)
            #expect(try await api.call(.post, "/v1/admin/skus/NOPE/restock", json: ["quantity": 1], token: admin).code == "NOT_FOUND")
            #expect(try await api.call(.post, "/v1/admin/skus/P1-A/restock", json: ["quantity": 1_000_001], token: admin).code == "VALIDATION_FAILED")
        }
    }

    @Test func imageAddressesMustBeWebURLs() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let head = try api.app.services.store.headPosition
            for bad in ["javascript:alert(1)", "data:image/png;base64,AAAA", "/img/a.jpg", "https:///a.jpg", "http://a b.jpg", "ftp://x/a.jpg"] {
                let refused = try await api.call(.patch, "/v1/admin/products/P1", json: ["imageUrls": ["https://cdn.example.com/ok.jpg", .string(bad)]], token: admin)
                #expect(refused.code == "VALIDATION_FAILED", "\(bad)")
                #expect(refused.json["errors"] == [["field": "imageUrls[1]", "message": "must be an http:// or https:// URL with a host and no spaces"]], "\(bad)")
            }
            let created = try await api.call(.post, "/v1/admin/products", json: [
                "productId": "P2", "title": "t", "category": "c", "imageUrls": ["javascript:x"],
                "skus": [["skuId": "P2-A", "specs": [:], "priceCents": 1]]], token: admin)
            #expect(created.code == "VALIDATION_FAILED" && created.json["errors"]?.arrayValue?.count == 1)
            // Each element is named by its own index, whatever the others' faults.
            let both = try await api.call(.patch, "/v1/admin/products/P1", json: ["imageUrls": ["", "data:x", "https://ok/a.jpg"]], token: admin)
            #expect(both.json["errors"] == [["field": "imageUrls[0]", "message": "must be 1–2048 characters"],
                                            ["field": "imageUrls[1]", "message": "must be an http:// or https:// URL with a host and no spaces"]])
            #expect(try api.app.services.store.headPosition == head)  // nothing written
            let accepted = try await api.call(.patch, "/v1/admin/products/P1", json: ["imageUrls": ["HTTPS://CDN.example.com/a.jpg?w=200", "http://img/b.jpg"]], token: admin)
            #expect(accepted.status == .ok && accepted.json["imageUrls"] == ["HTTPS://CDN.example.com/a.jpg?w=200", "http://img/b.jpg"])
        }
    }

    @Test func productsCanBeEditedUnlistedAndListedAgain() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let patched = try await api.call(.patch, "/v1/admin/products/P1", json: ["title": "新标题", "tags": ["a", "b"]], token: admin)
            #expect(patched.json["title"] == "新标题" && patched.json["tags"] == ["a", "b"])
            #expect(try await api.call(.patch, "/v1/admin/products/NOPE", json: ["title": "x"], token: admin).code == "NOT_FOUND")
            #expect(try await api.call(.post, "/v1/admin/products/P1/unlist", token: admin).json["listed"] == false)
            let added = try await api.call(.post, "/v1/admin/products/P1/skus", json: ["skuId": "P1-C", "specs": ["颜色": "红"], "priceCents": 5], token: admin)
            #expect(added.status == .created && added.json["skus"]?.arrayValue?.count == 3)
            try await api.settle()
            #expect(try await api.call(.get, "/v1/products").json["total"] == 0)
            let all = try await api.call(.get, "/v1/admin/products?listed=false", token: admin)
            #expect(all.json["total"] == 1 && all.json["items"]?[0]?["listed"] == false)
            #expect(try await api.call(.post, "/v1/admin/products/P1/list", token: admin).json["listed"] == true)
        }
    }
}
