import Domain

/// The boundary to a payment provider: builds what the mini-program hands to
/// `wx.requestPayment`, and authenticates the provider's notifications. The sandbox provider
/// signs with HMAC-SHA256; WeChat Pay APIv3 would sign with RSA and decrypt its resource
/// here without the order logic changing.
public protocol PaymentProvider: Sendable {
    /// The `requestPayment` object for an open payment.
    func requestPayment(for payment: Order.Payment) -> RequestPayment
    /// True when the notification's signature is the provider's.
    func verify(_ notification: PaymentNotification) -> Bool
}

/// Exactly the object `wx.requestPayment` takes.
public struct RequestPayment: Sendable, Equatable, Codable {
    public let timeStamp: String
    public let nonceStr: String
    public let package: String
    public let signType: String
    public let paySign: String
}

/// A payment notification as the provider posts it.
public struct PaymentNotification: Sendable, Equatable {
    public let paymentId: String
    public let orderId: String
    public let amountCents: Int64
    public let transactionId: String
    public let paidAt: String
    public let signature: String

    public init(paymentId: String, orderId: String, amountCents: Int64, transactionId: String, paidAt: String, signature: String) {
        self.paymentId = paymentId
        self.orderId = orderId
        self.amountCents = amountCents
        self.transactionId = transactionId
        self.paidAt = paidAt
        self.signature = signature
    }
}
