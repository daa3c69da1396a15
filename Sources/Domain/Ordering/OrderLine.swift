/// One line of an order, with the product's title, specs and price frozen at placement.
public struct OrderLine: Sendable, Equatable, Codable {
    public let skuId: String
    public let productId: String
    public let title: String
    public let specs: [SpecEntry]
    public let priceCents: Int64
    public let quantity: Int
    public let lineTotalCents: Int64
}

/// A requested line: sku and quantity.
public struct RequestedLine: Sendable, Equatable {
    public let skuId: String
    public let quantity: Int

    public init(skuId: String, quantity: Int) {
        self.skuId = skuId
        self.quantity = quantity
    }
}

/// The shipping address, every part of it personal data.
public struct SealedAddress: Sendable, Equatable, Codable {
    public let name: Sealed
    public let phone: Sealed
    public let line1: Sealed
    public let city: Sealed
    public let postalCode: Sealed?

    public init(name: Sealed, phone: Sealed, line1: Sealed, city: Sealed, postalCode: Sealed?) {
        self.name = name
        self.phone = phone
        self.line1 = line1
        self.city = city
        self.postalCode = postalCode
    }
}
