import Application
import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The customer's orders: placing, reading, cancelling, paying, receiving, refunds.
struct OrderRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.post, "/v1/orders", EndpointSpec(access: .signedIn, body: .required), table: table, services: services) { call in
            let userId = try call.userId
            var body = BodyReader(call.body)
            var lines: [RequestedLine]?
            if let readers = body.objects("items", required: false, count: 1...OrderPlacement.maxLines) {
                var requested: [RequestedLine] = []
                requested.reserveCapacity(readers.count)
                for (index, var reader) in readers.enumerated() {
                    let skuId = reader.string("skuId", length: 1...64)
                    let quantity = reader.integer("quantity", range: 1...Int64(Cart.maxLineQuantity))
                    body.absorb(reader)
                    guard let skuId, let quantity else { continue }
                    // At most `maxLines` lines: comparing pairs costs less than hashing every sku id.
                    if requested.contains(where: { $0.skuId == skuId }) {
                        body.fail("items[\(index)].skuId", "sku \(skuId) appears twice")
                    } else {
                        requested.append(RequestedLine(skuId: skuId, quantity: Int(quantity)))
                    }
                }
                lines = requested
            }
            var address: ShippingAddress?
            if var reader = body.object("address") {
                let name = reader.string("name", length: 1...64)
                let phone = reader.string("phone", length: 3...32)
                let line1 = reader.string("line1", length: 1...200)
                let city = reader.string("city", length: 1...64)
                let postalCode = reader.string("postalCode", required: false, length: 1...16)
                body.absorb(reader)
                if let name, let phone, let line1, let city {
                    address = ShippingAddress(name: name, phone: phone, line1: line1, city: city, postalCode: postalCode)
                }
            }
            let note = body.string("note", required: false, length: 0...500, text: .multiLine)
            try body.finish()
            guard let address else { throw APIError.internalError }
            let ifMatch = try call.ifMatch()
            let vault = call.services.vault
            let sealedAddress = try vault.seal(value: address, for: userId)
            let sealedNote = try note.flatMap { $0.isEmpty ? nil : try vault.seal($0, for: userId) }
            let now = call.now
            let command = OrderPlacement.Command(orderId: call.services.ids.next(), userId: userId, lines: lines, address: sealedAddress, note: sealedNote,
                                                 now: now, payBy: now.adding(seconds: call.services.configuration.paymentTimeoutSeconds))
            return try await call.command(status: .created, render: Self.renderOrder(vault, placed: (sealedAddress, address))) { claim, remember in
                try await call.services.processor.placeOrder(command, cartIfMatch: ifMatch, metadata: call.metadata, idempotency: claim, remember: remember)
            }
        }
        router.endpoint(.get, "/v1/orders", EndpointSpec(access: .signedIn, reads: ["orders"]), table: table, services: services) { call in
            let (page, size) = try call.pagination()
            let status = try Self.status(call)
            return try CatalogRoutes.page(try call.services.orders.list(userId: try call.userId, status: status, page: page, pageSize: size))
        }
        router.endpoint(.get, "/v1/orders/{orderId}", EndpointSpec(access: .signedIn, reads: ["orders"]), table: table, services: services) { call in
            try Self.read(call, ownedBy: try call.userId)
        }
        router.endpoint(.post, "/v1/orders/{orderId}/cancel", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            try await Self.act(call, .cancel, owner: try call.userId)
        }
        router.endpoint(.post, "/v1/orders/{orderId}/receive", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            try await Self.act(call, .receive, owner: try call.userId)
        }
        router.endpoint(.post, "/v1/orders/{orderId}/refund", EndpointSpec(access: .signedIn, body: .required), table: table, services: services) { call in
            let userId = try call.userId
            var body = BodyReader(call.body)
            let reason = body.string("reason", length: 1...500, text: .multiLine)
            try body.finish()
            guard let reason else { throw APIError.internalError }
            return try await Self.act(call, .requestRefund(reason: try call.services.vault.seal(reason, for: userId)), owner: userId)
        }
        router.endpoint(.post, "/v1/orders/{orderId}/payments", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            let userId = try call.userId
            let orderId = call.parameter("orderId")
            let nonce = Base64URL.encode(try SecureRandom.pooledBytes(16))
            let action = CommandProcessor.OrderAction.requestPayment(paymentId: call.services.ids.next(), nonceStr: nonce)
            let provider = call.services.payments
            return try await call.command(status: .created, render: { (snapshot: OrderSnapshot, position: UInt64) in
                guard let payment = OrderRendering.payment(snapshot.order, provider: provider) else { throw APIError.internalError }
                return Reply.command(payment, status: .created, position: position)
            }) { claim, remember in
                try await call.services.processor.act(on: orderId, action, userId: userId, ifMatch: try call.ifMatch(), metadata: call.metadata,
                                                      idempotency: claim, remember: remember)
            }
        }
    }

    static func renderOrder(_ vault: PersonalDataVault, placed: (sealed: Sealed, address: ShippingAddress)? = nil)
        -> @Sendable (OrderSnapshot, UInt64) -> Reply {
        { snapshot, position in
            Reply(status: .ok, body: .stored(OrderRendering.bytes(snapshot.order, version: snapshot.version, position: position, vault: vault,
                                                                  placed: placed)),
                  logPosition: position, etag: snapshot.version)
        }
    }

    static func act(_ call: Call, _ action: CommandProcessor.OrderAction, owner: String?) async throws -> Reply {
        let orderId = call.parameter("orderId")
        let ifMatch = try call.ifMatch()
        return try await call.command(status: .ok, render: renderOrder(call.services.vault)) { claim, remember in
            try await call.services.processor.act(on: orderId, action, userId: owner, ifMatch: ifMatch, metadata: call.metadata,
                                                  idempotency: claim, remember: remember)
        }
    }

    /// An order from the read model; another user's order is not found.
    static func read(_ call: Call, ownedBy owner: String?) throws -> Reply {
        let orderId = call.parameter("orderId")
        let found = try call.services.orders.order(orderId)
        guard let document = found.value, owner == nil || document.order.userId == owner else { throw APIError.notFound("no order \(orderId)") }
        return Reply(status: .ok, body: .stored(OrderRendering.bytes(document.order, version: document.version, vault: call.services.vault)),
                     readPosition: found.position, etag: document.version)
    }

    static func status(_ call: Call) throws -> OrderStatus? {
        guard let text = call.query("status") else { return nil }
        guard let status = OrderStatus(rawValue: text) else {
            throw APIError.badRequest("status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
