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

@Suite struct OrderRouteTests {
    func notify(_ api: API, payment: JSONValue, amount: Int64, secret: String = APIHarness.paymentSecret, transaction: String = "T1") async throws -> TestResponse {
        let paymentId = payment["paymentId"]?.stringValue ?? ""
        let orderId = payment["orderId"]?.stringValue ?? ""
        let base = PaymentNotification(paymentId: paymentId, orderId: orderId, amountCents: amount, transactionId: transaction, paidAt: "2026-11-25T08:05:00Z",
                                       signature: "")
        let signature = SandboxPaymentProvider(secret: secret, appId: "").signature(for: base)
        return try await api.call(.post, "/v1/payments/notify", json: [
            "paymentId": .string(paymentId), "orderId": .string(orderId), "amountCents": .int(amount), "transactionId": .string(transaction),
            "paidAt": "2026-11-25T08:05:00Z", "signature": .string(signature),
        ])
    }

    @Test func placePayShipReceive() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, userId) = try await api.customer()
            let placed = try await api.order(token, [("P1-A", 2), ("P1-B", 1)])
            #expect(placed.status == .created && placed.isSerializedJSON)
            let order = placed.json
            #expect(order["status"] == "awaiting_payment" && order["totalCents"] == 450 && order["userId"] == .string(userId))
            #expect(order["address"]?["city"] == "北京" && order["address"]?["postalCode"] == .null && order["note"] == .null)
            #expect(order["items"]?[0]?["title"] == "华为智能手机 Pro" && order["items"]?[0]?["specs"] == ["颜色": "黑"])
            #expect(order["history"] == [["status": "awaiting_payment", "at": .string(order["createdAt"]?.stringValue ?? "")]])
            #expect(order["shipment"] == .null && order["refund"] == .null && order["version"] == 1 && order["position"] != nil)
            let orderId = try #require(order["orderId"]?.stringValue)

            let payment = try await api.call(.post, "/v1/orders/\(orderId)/payments", token: token)
            #expect(payment.status == .created && payment.json["amountCents"] == 450 && payment.json["expiresAt"] == order["payBy"])
            let request = try #require(payment.json["requestPayment"])
            #expect(request["package"] == .string("prepay_id=" + (payment.json["paymentId"]?.stringValue ?? "")) && request["signType"] == "HMAC-SHA256")
            let message = "appId=&nonceStr=\(request["nonceStr"]?.stringValue ?? "")&package=\(request["package"]?.stringValue ?? "")&signType=HMAC-SHA256&timeStamp=\(request["timeStamp"]?.stringValue ?? "")"
            #expect(request["paySign"]?.stringValue == Hex.encodeUppercase(HMACSHA256.authenticate(message, key: Array(APIHarness.paymentSecret.utf8))))
            let again = try await api.call(.post, "/v1/orders/\(orderId)/payments", token: token)
            #expect(again.status == .created && again.json["paymentId"] == payment.json["paymentId"])

            #expect(try await notify(api, payment: payment.json, amount: 450, secret: "wrong").code == "INVALID_SIGNATURE")
            #expect(try await notify(api, payment: payment.json, amount: 449).code == "AMOUNT_MISMATCH")
            let paid = try await notify(api, payment: payment.json, amount: 450)
            #expect(paid.status == .ok && paid.json["result"] == "SUCCESS")
            let head = try api.app.services.store.headPosition
            #expect(try await notify(api, payment: payment.json, amount: 450).json["result"] == "SUCCESS")
            #expect(try api.app.services.store.headPosition == head, "a repeated notification appends nothing")

            #expect(try await api.call(.post, "/v1/orders/\(orderId)/cancel", token: token).code == "INVALID_STATE")
            let shipped = try await api.call(.post, "/v1/admin/orders/\(orderId)/ship", json: ["carrier": "SF", "trackingNumber": "SF100"], token: admin)
            #expect(shipped.json["status"] == "shipped" && shipped.json["shipment"]?["carrier"] == "SF" && shipped.isSerializedJSON)
            let received = try await api.call(.post, "/v1/orders/\(orderId)/receive", token: token)
            #expect(received.json["status"] == "completed")
            try await api.settle()
            let read = try await api.call(.get, "/v1/orders/\(orderId)", token: token)
            #expect(read.isSerializedJSON && read.json["position"] == nil)
            #expect(read.json["status"] == "completed" && read.header("ETag") == read.json["version"].map { "\"\($0.intValue ?? 0)\"" })
            let list = try await api.call(.get, "/v1/orders?status=completed", token: token)
            #expect(list.json["total"] == 1 && list.json["items"]?[0]?["itemCount"] == 3)
            let report = try await api.call(.get, "/v1/admin/reports/sales?groupBy=sku", token: admin)
            #expect(report.json["items"]?.arrayValue?.count == 2)
        }
    }

    @Test func conflictsAndValidationOfOrders() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin, stock: 1, limit: 1)
            try await api.product("P2", admin: admin, stock: 5)
            try await api.call(.post, "/v1/admin/products/P2/unlist", token: admin)
            let (token, _) = try await api.customer()
            let out = try await api.order(token, [("P1-B", 2)])
            #expect(out.status == .conflict && out.code == "OUT_OF_STOCK" && out.json["skuIds"] == ["P1-B"])
            #expect(try await api.order(token, [("P2-A", 1)]).code == "NOT_ORDERABLE")
            #expect(try await api.order(token, [("P1-A", 2)]).code == "PURCHASE_LIMIT_EXCEEDED")
            #expect(try await api.order(token, [("NOPE", 1)]).code == "NOT_FOUND")
            #expect(try await api.order(token, [("P1-A", 1), ("P1-A", 1)]).code == "VALIDATION_FAILED")
            #expect(try await api.order(token, [("P1-A", 100)]).code == "VALIDATION_FAILED")
            #expect(try await api.call(.post, "/v1/orders", json: ["items": [["skuId": "P1-A", "quantity": 1]]], token: token).code == "VALIDATION_FAILED")
            #expect(try await api.call(.post, "/v1/orders", json: ["items": "x", "address": API.address], token: token).code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/orders", json: ["address": API.address], token: token).code == "EMPTY_CART")
            let long = String(repeating: "字", count: 501)
            #expect(try await api.call(.post, "/v1/orders", json: ["items": [["skuId": "P1-A", "quantity": 1]], "address": API.address, "note": .string(long)],
                                       token: token).code == "VALIDATION_FAILED")
            // Lengths count code points (a four-byte emoji is one), and control characters are
            // refused except line breaks and tabs where text may span lines (a note).
            func place(note: String? = nil, name: String = "张三") async throws -> TestResponse {
                let address: JSONValue = ["name": .string(name), "phone": "13800138000", "line1": "长安街1号", "city": "北京"]
                var body: [String: JSONValue] = ["items": [["skuId": "P1-A", "quantity": 1]], "address": address]
                if let note { body["note"] = .string(note) }
                return try await api.call(.post, "/v1/orders", json: .object(body), token: token)
            }
            let tooLong = try await place(note: String(repeating: "😀", count: 501))
            #expect(tooLong.code == "VALIDATION_FAILED" && tooLong.json["errors"] == [["field": "note", "message": "must be 0–500 characters"]])
            let control = try await place(name: "张\u{7F}三")
            #expect(control.code == "VALIDATION_FAILED" && control.json["errors"] == [["field": "address.name", "message": "must not contain control characters"]])
            #expect(try await place(name: "张\n三").code == "VALIDATION_FAILED")
            // Every offending field is named where it sits: in an item, by its index.
            let lines: JSONValue = [["skuId": "", "quantity": 0], ["skuId": "P1-A", "quantity": 1], ["skuId": "P1-A", "quantity": 2]]
            let named = try await api.call(.post, "/v1/orders", json: ["items": lines, "address": ["name": "张三", "phone": "1", "line1": "x", "city": "北京"]],
                                           token: token)
            #expect(named.code == "VALIDATION_FAILED" && named.json["errors"] == [
                ["field": "items[0].skuId", "message": "must be 1–64 characters"], ["field": "items[0].quantity", "message": "must be 1–99"],
                ["field": "items[2].skuId", "message": "sku P1-A appears twice"], ["field": "address.phone", "message": "must be 3–32 characters"],
            ])
            let mistyped = try await api.call(.post, "/v1/orders", json: ["items": [["skuId": "P1-A", "quantity": 1], ["skuId": 7, "quantity": "2"]],
                                                                          "address": API.address], token: token)
            #expect(mistyped.code == "BAD_REQUEST"
                && mistyped.json["detail"] == "items[1].skuId must be a string, not integer; items[1].quantity must be an integer, not string")
            #expect(try await place(note: "a\u{1}").code == "VALIDATION_FAILED")
            let ok = try await place(note: String(repeating: "😀", count: 497) + "\t\r\n")
            #expect(ok.status == .created)
            // Another user's order is not found.
            let (other, _) = try await api.customer()
            let id = ok.json["orderId"]?.stringValue ?? ""
            #expect(try await api.call(.post, "/v1/orders/\(id)/cancel", token: other).code == "NOT_FOUND")
            try await api.settle()
            #expect(try await api.call(.get, "/v1/orders/\(id)", token: other).code == "NOT_FOUND")
            #expect(try await api.call(.get, "/v1/orders?status=lost", token: token).code == "BAD_REQUEST")
            let cancelled = try await api.call(.post, "/v1/orders/\(id)/cancel", token: token)
            #expect(cancelled.json["status"] == "cancelled" && cancelled.json["history"]?[1]?["reason"] == "customer")
        }
    }

    /// Lines are each at most 99 × (2^53 − 1) cents but a cart's line count is open: a dozen
    /// max-price lines overflowed the 64-bit total and the rendering trapped, taking the server
    /// down, on the buyer's own request. The total now stops at Int64.max, and ordering such a
    /// cart is refused as too large.
    @Test func aCartTooDearToAddUpAnswersWithTheLargestTotalAndCannotBeOrdered() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            let price = JSONValue.int(9_007_199_254_740_991)
            let skus: [JSONValue] = (0..<12).map { .object(["skuId": .string("DEAR-\($0)"), "specs": ["号": .string("\($0)")], "priceCents": price]) }
            let created = try await api.call(.post, "/v1/admin/products", json: [
                "productId": "DEAR", "title": "天价", "category": "手机", "skus": .array(skus),
            ], token: admin)
            #expect(created.status == .created)
            for index in 0..<12 {
                try await api.call(.post, "/v1/admin/skus/DEAR-\(index)/restock", json: ["quantity": 99], token: admin)
            }
            let (token, _) = try await api.customer()
            var last: TestResponse?
            for index in 0..<12 {
                last = try await api.call(.post, "/v1/cart/items", json: ["skuId": .string("DEAR-\(index)"), "quantity": 99], token: token)
                #expect(last?.status == .ok)
            }
            #expect(last?.json["totalCents"] == .int(Int64.max))
            #expect(last?.json["items"]?[11]?["lineTotalCents"] == .int(9_007_199_254_740_991 * 99))
            try await api.settle()
            let cart = try await api.call(.get, "/v1/cart", token: token)
            #expect(cart.status == .ok && cart.json["totalCents"] == .int(Int64.max))
            let order = try await api.call(.post, "/v1/orders", json: ["address": API.address], token: token)
            #expect(order.code == "VALIDATION_FAILED")
        }
    }

    @Test func cartCheckoutWithIfMatch() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin)
            let (token, _) = try await api.customer()
            let added = try await api.call(.post, "/v1/cart/items", json: ["skuId": "P1-A", "quantity": 2], token: token)
            #expect(added.status == .ok && added.json["items"]?[0]?["lineTotalCents"] == 200 && added.json["version"] == 1 && added.header("ETag") == "\"1\"")
            // A body naming a member twice is ambiguous: refused, naming it, and nothing is
            // written (the If-Match "1" below still matches).
            let repeated = try await api.call(.post, "/v1/cart/items", raw: #"{"skuId":"P1-A","quantity":1,"quantity":99}"#, token: token)
            #expect(repeated.status == .badRequest && repeated.code == "BAD_REQUEST")
            #expect(repeated.json["detail"]?.stringValue?.contains(#""quantity" appears twice"#) == true)
            #expect(try await api.call(.post, "/v1/cart/items", json: ["skuId": "P1-A", "quantity": 98], token: token).code == "VALIDATION_FAILED")
            #expect(try await api.call(.post, "/v1/cart/items", json: ["skuId": "NOPE", "quantity": 1], token: token).code == "NOT_FOUND")
            #expect(try await api.call(.put, "/v1/cart/items/P1-B", json: ["quantity": 1], token: token).code == "NOT_FOUND")
            #expect(try await api.call(.delete, "/v1/cart/items/P1-B", token: token).code == "NOT_FOUND")
            #expect(try await api.call(.put, "/v1/cart/items/P1-A", json: ["quantity": 3], token: token, headers: ["If-Match": "\"9\""]).code == "VERSION_CONFLICT")
            #expect(try await api.call(.put, "/v1/cart/items/P1-A", json: ["quantity": 3], token: token, headers: ["If-Match": "\"1\""]).json["totalCents"] == 300)
            try await api.call(.post, "/v1/cart/items", json: ["skuId": "P1-B", "quantity": 1], token: token)
            try await api.settle()
            let cart = try await api.call(.get, "/v1/cart", token: token)
            #expect(cart.json["totalCents"] == 550 && cart.json["items"]?.arrayValue?.count == 2 && cart.json["items"]?[1]?["available"] == 10)
            #expect(try await api.call(.post, "/v1/orders", json: ["address": API.address], token: token, headers: ["If-Match": "\"1\""]).code == "VERSION_CONFLICT")
            let checkout = try await api.call(.post, "/v1/orders", json: ["address": API.address, "note": "请尽快发货"], token: token, headers: ["If-Match": "\"3\""])
            #expect(checkout.status == .created && checkout.json["totalCents"] == 550 && checkout.json["note"] == "请尽快发货")
            try await api.settle()
            #expect(try await api.call(.get, "/v1/cart", token: token).json["items"] == [])
            #expect(try await api.call(.delete, "/v1/cart/items/P1-A", token: token).code == "NOT_FOUND")
        }
    }

    /// The cart is written straight to bytes (`CartRendering`): the command's answer and the
    /// read model's are exactly what serializing the API's JSON gives — every member, specs
    /// sorted by name (Chinese and Latin, one needing escapes), `position` only on the command.
    @Test func theCartIsAnsweredAsSerializedJSON() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            let specs: JSONValue = ["颜色": "黑", "版本": "Pro \"限量\"", "Size": "XL", "a": "back\\slash"]
            try await api.call(.post, "/v1/admin/products", json: [
                "productId": "C1", "title": "外套 \\ \"冬\"", "category": "服装", "skus": [["skuId": "C1-A", "specs": specs, "priceCents": 1999]],
            ], token: admin)
            try await api.call(.post, "/v1/admin/skus/C1-A/restock", json: ["quantity": 7], token: admin)
            let (token, _) = try await api.customer()
            let added = try await api.call(.post, "/v1/cart/items", json: ["skuId": "C1-A", "quantity": 3], token: token)
            let line: JSONValue = ["available": 7, "lineTotalCents": 5997, "priceCents": 1999, "productId": "C1", "quantity": 3, "skuId": "C1-A",
                                   "specs": specs, "title": "外套 \\ \"冬\""]
            let position = try #require(added.header("X-Log-Position").flatMap { Int64($0) }, "\(added.status) \(added.text)")
            #expect(added.isSerializedJSON)
            #expect(added.json == ["items": [line], "position": .int(position), "totalCents": 5997, "version": 1])
            try await api.settle()
            let read = try await api.call(.get, "/v1/cart", token: token)
            #expect(read.isSerializedJSON && read.header("ETag") == "\"1\"")
            #expect(read.json == ["items": [line], "totalCents": 5997, "version": 1])
            let emptied = try await api.call(.delete, "/v1/cart/items/C1-A", token: token)
            #expect(emptied.isSerializedJSON && emptied.json["items"] == [] && emptied.json["totalCents"] == 0)
        }
    }

    @Test func refundsLatePaymentsAndTimeouts() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            try await api.product("P1", admin: admin, stock: 5)
            let (token, _) = try await api.customer()
            // Refund before shipping puts the stock back.
            let first = try await api.order(token, [("P1-A", 2)]).json
            let firstId = first["orderId"]?.stringValue ?? ""
            let payment = try await api.call(.post, "/v1/orders/\(firstId)/payments", token: token).json
            _ = try await notify(api, payment: payment, amount: 200)
            let asked = try await api.call(.post, "/v1/orders/\(firstId)/refund", json: ["reason": "不想要了"], token: token)
            #expect(asked.json["status"] == "refund_requested" && asked.json["refund"]?["reason"] == "不想要了" && asked.json["refund"]?["outcome"] == nil)
            #expect(asked.isSerializedJSON)
            let approved = try await api.call(.post, "/v1/admin/orders/\(firstId)/refund", json: ["approve": true], token: admin)
            #expect(approved.json["status"] == "refunded" && approved.json["refund"]?["outcome"] == "approved" && approved.isSerializedJSON)
            #expect(try await api.call(.post, "/v1/admin/orders/\(firstId)/refund", json: ["approve": "yes"], token: admin).code == "BAD_REQUEST")
            #expect(try await api.call(.post, "/v1/orders/\(firstId)/refund", json: ["reason": ""], token: token).code == "VALIDATION_FAILED")

            // Unpaid past the timeout: cancelled by the timer; a late payment is refunded.
            let second = try await api.order(token, [("P1-A", 1)]).json
            let secondId = second["orderId"]?.stringValue ?? ""
            let open = try await api.call(.post, "/v1/orders/\(secondId)/payments", token: token).json
            harness.clock.advance(seconds: 1801)
            try await api.app.services.scheduler.tick()
            try await api.settle()
            let timedOut = try await api.call(.get, "/v1/orders/\(secondId)", token: token)
            #expect(timedOut.json["status"] == "cancelled" && timedOut.json["history"]?[1]?["reason"] == "payment_timeout")
            let late = try await notify(api, payment: open, amount: 100, transaction: "LATE")
            #expect(late.json["result"] == "SUCCESS")
            try await api.settle()
            let refundedResponse = try await api.call(.get, "/v1/orders/\(secondId)", token: token)
            #expect(refundedResponse.isSerializedJSON)
            let refunded = refundedResponse.json
            #expect(refunded["status"] == "refunded" && refunded["refund"]?["reason"] == "paid_after_cancellation" && refunded["refund"]?["outcome"] == "approved")
            let sku = try await api.call(.get, "/v1/skus/P1-A").json
            #expect(sku["available"] == 5 && sku["reserved"] == 0 && sku["sold"] == 0)
        }
    }
}
