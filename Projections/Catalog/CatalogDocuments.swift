import CanonicalJSON
import Domain

/// `GET /v1/products/{productId}`, stored exactly as answered.
public struct ProductDocument: Codable, Sendable, Equatable {
    public var productId: String
    public var title: String
    public var description: String
    public var category: String
    public var tags: [String]
    public var imageUrls: [String]
    public var listed: Bool
    public var skus: [ProductSkuDocument]

    var minPriceCents: Int64 { skus.map(\.priceCents).min() ?? 0 }
    var available: Int64 { skus.reduce(0) { $0 + $1.available } }
    var sales: Int64 { skus.reduce(0) { $0 + $1.sales } }
}

public struct ProductSkuDocument: Codable, Sendable, Equatable {
    public var skuId: String
    public var specs: [String: String]
    public var priceCents: Int64
    public var limitPerUser: Int?
    public var available: Int64
    public var sales: Int64

    enum CodingKeys: String, CodingKey { case skuId, specs, priceCents, limitPerUser, available, sales }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(skuId, forKey: .skuId)
        try c.encode(specs, forKey: .specs)
        try c.encode(priceCents, forKey: .priceCents)
        try c.encode(limitPerUser, forKey: .limitPerUser)  // null, not absent
        try c.encode(available, forKey: .available)
        try c.encode(sales, forKey: .sales)
    }
}

/// `GET /v1/skus/{skuId}`, stored exactly as answered.
public struct SkuDocument: Codable, Sendable, Equatable {
    public var skuId: String
    public var productId: String
    public var specs: [String: String]
    public var priceCents: Int64
    public var limitPerUser: Int?
    public var available: Int64
    public var reserved: Int64
    public var sold: Int64
    public var version: UInt64

    enum CodingKeys: String, CodingKey { case skuId, productId, specs, priceCents, limitPerUser, available, reserved, sold, version }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(skuId, forKey: .skuId)
        try c.encode(productId, forKey: .productId)
        try c.encode(specs, forKey: .specs)
        try c.encode(priceCents, forKey: .priceCents)
        try c.encode(limitPerUser, forKey: .limitPerUser)
        try c.encode(available, forKey: .available)
        try c.encode(reserved, forKey: .reserved)
        try c.encode(sold, forKey: .sold)
        try c.encode(version, forKey: .version)
    }
}

/// One item of a product list, stored exactly as answered.
public struct ProductListItem: Codable, Sendable, Equatable {
    public var productId: String
    public var title: String
    public var category: String
    public var minPriceCents: Int64
    public var available: Int64
    public var sales: Int64
    public var imageUrl: String?

    public init(productId: String, title: String, category: String, minPriceCents: Int64, available: Int64, sales: Int64, imageUrl: String?) {
        self.productId = productId
        self.title = title
        self.category = category
        self.minPriceCents = minPriceCents
        self.available = available
        self.sales = sales
        self.imageUrl = imageUrl
    }

    enum CodingKeys: String, CodingKey { case productId, title, category, minPriceCents, available, sales, imageUrl }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(productId, forKey: .productId)
        try c.encode(title, forKey: .title)
        try c.encode(category, forKey: .category)
        try c.encode(minPriceCents, forKey: .minPriceCents)
        try c.encode(available, forKey: .available)
        try c.encode(sales, forKey: .sales)
        try c.encode(imageUrl, forKey: .imageUrl)
    }
}

/// A stored read-model document that does not have the shape its reader expects.
struct MalformedDocument: Error, CustomStringConvertible {
    let type: String
    var description: String { "a stored \(type) document is malformed" }
}

extension SkuDocument: StoredDocumentReadable {
    /// Read for every line of every `GET /v1/cart`: in place, not through Foundation's decoder.
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "SkuDocument")
        return Self(skuId: try document.string("skuId"), productId: try document.string("productId"), specs: try document.strings("specs"),
                    priceCents: try document.int64("priceCents"), limitPerUser: try document.optionalInt("limitPerUser"),
                    available: try document.int64("available"), reserved: try document.int64("reserved"), sold: try document.int64("sold"),
                    version: try document.uint64("version"))
    }
}

extension ProductDocument {
    /// Only the title of a stored product (a cart line shows it): the whole document — its
    /// description, tags, every sku — is not decoded for one string. Nil when the bytes do
    /// not hold one; then decode the document.
    static func storedTitle(_ bytes: UnsafeRawBufferPointer) -> String? {
        try? StoredObject(bytes, path: "ProductDocument").string("title")
    }
}
