/// Where an order stands (the `status` values of API.md).
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case awaitingPayment = "awaiting_payment"
    case paid
    case shipped
    case completed
    case cancelled
    case refundRequested = "refund_requested"
    case refunded

    /// Orders in these states count against a sku's per-user limit.
    public var countsTowardPurchases: Bool { self != .cancelled && self != .refunded }

    /// While an order is here, its buyer's personal data is still needed (no erasure).
    public var needsBuyer: Bool { self == .paid || self == .shipped || self == .refundRequested }
}
