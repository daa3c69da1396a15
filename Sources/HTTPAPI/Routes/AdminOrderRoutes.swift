import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The shop's side of orders: shipping, refund decisions, lists and the sales report.
struct AdminOrderRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.post, "/v1/admin/orders/{orderId}/ship", EndpointSpec(access: .admin, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let carrier = body.string("carrier", length: 1...64)
            let tracking = body.string("trackingNumber", length: 1...64)
            try body.finish()
            guard let carrier, let tracking else { throw APIError.internalError }
            return try await OrderRoutes.act(call, .ship(carrier: carrier, trackingNumber: tracking), owner: nil)
        }
        router.endpoint(.post, "/v1/admin/orders/{orderId}/refund", EndpointSpec(access: .admin, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let approve = body.bool("approve")
            try body.finish()
            guard let approve else { throw APIError.internalError }
            return try await OrderRoutes.act(call, .decideRefund(approve: approve), owner: nil)
        }
        router.endpoint(.get, "/v1/admin/orders", EndpointSpec(access: .admin, reads: ["orders"]), table: table, services: services) { call in
            let (page, size) = try call.pagination()
            let status = try OrderRoutes.status(call)
            let userId = call.query("userId").flatMap { $0.isEmpty ? nil : $0 }
            return try CatalogRoutes.page(try call.services.orders.list(userId: userId, status: status, page: page, pageSize: size))
        }
        router.endpoint(.get, "/v1/admin/orders/{orderId}", EndpointSpec(access: .admin, reads: ["orders"]), table: table, services: services) { call in
            try OrderRoutes.read(call, ownedBy: nil)
        }
        router.endpoint(.get, "/v1/admin/reports/sales", EndpointSpec(access: .admin, reads: ["sales"]), table: table, services: services) { call in
            let from = try Self.day(call, "from")
            let to = try Self.day(call, "to")
            if let from, let to, from > to { throw APIError.badRequest("from must not be after to") }
            let grouping: SalesQueries.Grouping
            switch call.query("groupBy") {
            case nil, "day": grouping = .day
            case "sku": grouping = .sku
            default: throw APIError.badRequest("groupBy must be day or sku")
            }
            let report = try call.services.sales.report(from: from, to: to, groupBy: grouping)
            let items: [JSONValue] = report.value.map {
                ["key": .string($0.key), "orders": .int($0.orders), "units": .int($0.units), "revenueCents": .int($0.revenueCents),
                 "refundedCents": .int($0.refundedCents)]
            }
            return .json(["items": .array(items)], readPosition: report.position)
        }
    }

    static func day(_ call: Call, _ name: String) throws -> String? {
        guard let text = call.query(name) else { return nil }
        guard text.count == 10, Timestamp(rfc3339: text + "T00:00:00Z") != nil else { throw APIError.badRequest("\(name) must be a date YYYY-MM-DD") }
        return text
    }
}
