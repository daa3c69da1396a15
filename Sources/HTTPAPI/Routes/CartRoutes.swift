import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The customer's cart.
struct CartRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.get, "/v1/cart", EndpointSpec(access: .signedIn, reads: ["carts", "catalog"]), table: table, services: services) { call in
            let cart = try call.services.carts.cart(try call.userId)
            return Reply(status: .ok, body: .stored(CartRendering.bytes(cart.value)), readPosition: cart.position, etag: cart.value.version)
        }
        router.endpoint(.post, "/v1/cart/items", EndpointSpec(access: .signedIn, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let skuId = body.string("skuId", length: 1...64)
            let quantity = body.integer("quantity", range: 1...Int64(Cart.maxLineQuantity))
            try body.finish()
            guard let skuId, let quantity else { throw APIError.internalError }
            return try await Self.change(call, .add(skuId: skuId, quantity: Int(quantity)))
        }
        router.endpoint(.put, "/v1/cart/items/{skuId}", EndpointSpec(access: .signedIn, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let quantity = body.integer("quantity", range: 0...Int64(Cart.maxLineQuantity))
            try body.finish()
            guard let quantity else { throw APIError.internalError }
            return try await Self.change(call, .set(skuId: call.parameter("skuId"), quantity: Int(quantity)))
        }
        router.endpoint(.delete, "/v1/cart/items/{skuId}", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            try await Self.change(call, .remove(skuId: call.parameter("skuId")))
        }
    }

    static func change(_ call: Call, _ change: CommandProcessor.CartChange) async throws -> Reply {
        let userId = try call.userId
        let ifMatch = try call.ifMatch()
        return try await call.command(status: .ok, render: { (cart: CartSnapshot, position: UInt64) in
            Reply(status: .ok, body: .stored(CartRendering.bytes(cart, position: position)), logPosition: position, etag: cart.version)
        }) { claim, remember in
            try await call.services.processor.changeCart(userId: userId, change, ifMatch: ifMatch, metadata: call.metadata, idempotency: claim, remember: remember)
        }
    }
}
