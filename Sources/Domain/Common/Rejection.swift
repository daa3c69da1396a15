/// Why a command was refused by a business rule. Each case has one stable API error code;
/// the HTTP layer maps them to problem+json in one place.
public enum Rejection: Error, Sendable, Equatable {
    /// A referenced resource does not exist (or is not the caller's).
    case notFound(resource: String, id: String)
    /// A unique name is taken: username, productId, skuId.
    case alreadyExists(what: String, id: String)
    /// Not enough available stock for these skus.
    case outOfStock(skuIds: [String], detail: String)
    /// These skus belong to unlisted products.
    case notOrderable(skuIds: [String])
    /// A sku's per-user limit would be passed.
    case purchaseLimitExceeded(skuIds: [String], detail: String)
    /// The aggregate's state does not allow this.
    case invalidState(String)
    /// Well-formed input breaking a rule about values.
    case validationFailed([FieldError])
    /// Checkout of an empty cart.
    case emptyCart
    /// A payment notification's amount differs from the order total.
    case amountMismatch(expected: Int64, received: Int64)
    /// An `If-Match` version is not the current one.
    case versionMismatch(expected: UInt64, actual: UInt64)
}

/// One invalid field of a request: `{field, message}`.
public struct FieldError: Sendable, Equatable, Codable {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
