import CanonicalJSON
import Domain

/// Each customer's cart lines and version (`GET /v1/cart` joins the catalog for titles,
/// prices and stock at query time, in the same snapshot).
///
/// - `carts`: userId → `CartDocument`
public struct CartsProjection: Projection {
    public let name = "carts"
    public let databases = ["carts"]

    public init() {}

    public struct CartDocument: Codable, Sendable, Equatable {
        public var cart: Cart.State
        public var version: UInt64
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        switch projected.event {
        case .cart(let event):
            let userId = projected.entityId
            let current = try context.document(CartDocument.self, "carts", userId) ?? CartDocument(cart: Cart.initialState, version: 0)
            try context.setDocument(CartDocument(cart: Cart.evolve(current.cart, event), version: projected.version), "carts", userId)
        case .account(.erased):
            // The cart holds no personal data, but an erased account has no use for it.
            try context.setDocument(nil as CartDocument?, "carts", projected.entityId)
        default:
            return
        }
    }
}

extension CartsProjection.CartDocument: StoredDocumentReadable {
    /// Read on every `GET /v1/cart`: in place, not through Foundation's decoder.
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "CartDocument")
        return Self(cart: try Cart.State(stored: try document.object("cart")), version: try document.uint64("version"))
    }
}

extension CartsProjection.CartDocument: CompactJSONRepresentable {
    /// Written by hand, byte for byte the `Encodable` form (DocumentBytesTests): every cart
    /// change writes one, and the Codable path was a twentieth of the read-model thread in the mix.
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("cart", first: true, into: &out)
        cart.writeCompactJSON(into: &out)
        CanonicalJSON.member("version", into: &out)
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
    }
}
