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

/// The shipping address in the clear. It never enters an event or a read model as such: it is
/// sealed as one unit (its JSON) under the buyer's key, so an order carries one `Sealed`
/// address and erasure blanks every part of it at once.
public struct ShippingAddress: Sendable, Equatable, Codable {
    public let name: String
    public let phone: String
    public let line1: String
    public let city: String
    public let postalCode: String?

    public init(name: String, phone: String, line1: String, city: String, postalCode: String?) {
        self.name = name
        self.phone = phone
        self.line1 = line1
        self.city = city
        self.postalCode = postalCode
    }

    /// What an erased buyer's address shows: every field kept, each `"[erased]"`.
    public static let erased = ShippingAddress(name: Sealed.erasedText, phone: Sealed.erasedText, line1: Sealed.erasedText,
                                               city: Sealed.erasedText, postalCode: Sealed.erasedText)
}
