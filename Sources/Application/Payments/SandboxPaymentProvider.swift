import CryptoPrimitives
import Domain

/// The sandbox provider of API.md: `paySign` is the uppercase hex HMAC-SHA256 of
/// `appId=…&nonceStr=…&package=…&signType=HMAC-SHA256&timeStamp=…`, and notifications are
/// signed with the lowercase hex HMAC-SHA256 of
/// `amountCents=…&orderId=…&paidAt=…&paymentId=…&transactionId=…`, both keyed with
/// `ORDERLOG_PAYMENT_SECRET`.
public struct SandboxPaymentProvider: PaymentProvider {
    /// Used when `ORDERLOG_PAYMENT_SECRET` is unset; the server warns loudly about it.
    public static let developmentSecret = "orderlog-development-payment-secret"

    /// `ORDERLOG_PAYMENT_SECRET`, prepared once (see `HMACSHA256.Key`).
    let secret: HMACSHA256.Key
    let appId: String

    public init(secret: String, appId: String) {
        self.secret = HMACSHA256.Key(Array(secret.utf8))
        self.appId = appId
    }

    public func requestPayment(for payment: Order.Payment) -> RequestPayment {
        let package = "prepay_id=" + payment.paymentId
        let message = "appId=\(appId)&nonceStr=\(payment.nonceStr)&package=\(package)&signType=HMAC-SHA256&timeStamp=\(payment.timeStamp)"
        return RequestPayment(timeStamp: payment.timeStamp, nonceStr: payment.nonceStr, package: package, signType: "HMAC-SHA256",
                              paySign: Hex.encodeUppercase(secret.authenticate(message)))
    }

    public func verify(_ notification: PaymentNotification) -> Bool {
        ConstantTime.equals(notification.signature, signature(for: notification))
    }

    /// The lowercase hex signature a notification must carry (also what tests and the
    /// benchmark use to play the provider).
    public func signature(for n: PaymentNotification) -> String {
        let message = "amountCents=\(n.amountCents)&orderId=\(n.orderId)&paidAt=\(n.paidAt)&paymentId=\(n.paymentId)&transactionId=\(n.transactionId)"
        return Hex.encode(secret.authenticate(message))
    }
}
