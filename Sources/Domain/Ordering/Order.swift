/// An order from placement to completion, cancellation or refund. Stream `order-<orderId>`.
///
/// awaiting_payment → paid → shipped → completed; awaiting_payment → cancelled;
/// paid | shipped | completed → refund_requested → refunded, or back where it was.
public enum Order: Decider {
    // MARK: Events

    public struct Placed: EventPayload, Equatable {
        public static let typeName = "OrderPlaced"
        public let orderId: String
        public let userId: String
        public let lines: [OrderLine]
        public let totalCents: Int64
        public let address: Sealed
        public let note: Sealed?
        public let placedAt: Timestamp
        public let payBy: Timestamp
        public let fromCart: Bool
    }

    public struct PaymentRequested: EventPayload, Equatable {
        public static let typeName = "OrderPaymentRequested"
        public let paymentId: String
        public let amountCents: Int64
        public let nonceStr: String
        /// Unix seconds as a string, exactly as handed to `wx.requestPayment`.
        public let timeStamp: String
        public let expiresAt: Timestamp
    }

    public struct Paid: EventPayload, Equatable {
        public static let typeName = "OrderPaid"
        public let paymentId: String
        public let transactionId: String
        public let amountCents: Int64
        /// As the provider sent it.
        public let paidAt: String
        public let recordedAt: Timestamp
    }

    public struct Cancelled: EventPayload, Equatable {
        public static let typeName = "OrderCancelled"
        /// `customer`, `payment_timeout` or `account_erased`.
        public let reason: String
        public let at: Timestamp
    }

    public struct Shipped: EventPayload, Equatable {
        public static let typeName = "OrderShipped"
        public let carrier: String
        public let trackingNumber: String
        public let shippedAt: Timestamp
    }

    public struct Completed: EventPayload, Equatable {
        public static let typeName = "OrderCompleted"
        /// `received` or `auto_received`.
        public let reason: String
        public let at: Timestamp
    }

    public struct RefundRequested: EventPayload, Equatable {
        public static let typeName = "OrderRefundRequested"
        public let reason: Sealed
        public let requestedAt: Timestamp
        /// Where the order goes back to if the refund is rejected.
        public let fromStatus: OrderStatus
    }

    public struct RefundApproved: EventPayload, Equatable {
        public static let typeName = "OrderRefundApproved"
        public let at: Timestamp
        /// True when the goods had not shipped and the stock went back to `available`.
        public let restocked: Bool
        public let amountCents: Int64
    }

    public struct RefundRejected: EventPayload, Equatable {
        public static let typeName = "OrderRefundRejected"
        public let at: Timestamp
    }

    /// A valid payment for an order already cancelled: recorded and refunded at once, stock
    /// not taken again.
    public struct LatePaymentRefunded: EventPayload, Equatable {
        public static let typeName = "OrderLatePaymentRefunded"
        public let paymentId: String
        public let transactionId: String
        public let amountCents: Int64
        public let paidAt: String
        public let at: Timestamp
    }

    public enum Event: Sendable, Equatable {
        case placed(Placed)
        case paymentRequested(PaymentRequested)
        case paid(Paid)
        case cancelled(Cancelled)
        case shipped(Shipped)
        case completed(Completed)
        case refundRequested(RefundRequested)
        case refundApproved(RefundApproved)
        case refundRejected(RefundRejected)
        case latePaymentRefunded(LatePaymentRefunded)
    }

    // MARK: State

    public struct HistoryEntry: Sendable, Equatable, Codable {
        public let status: OrderStatus
        public let at: Timestamp
        public let reason: String?
    }

    public struct Payment: Sendable, Equatable, Codable {
        public let paymentId: String
        public let amountCents: Int64
        public let nonceStr: String
        public let timeStamp: String
        public let expiresAt: Timestamp
        public var transactionId: String?
        public var paidAt: String?
    }

    public struct Shipment: Sendable, Equatable, Codable {
        public let carrier: String
        public let trackingNumber: String
        public let shippedAt: Timestamp
    }

    public struct Refund: Sendable, Equatable, Codable {
        /// Nil for a late payment refunded automatically (its reason is the fixed text).
        public let reason: Sealed?
        public let automaticReason: String?
        public let requestedAt: Timestamp
        public let fromStatus: OrderStatus?
        /// `approved` or `rejected`; nil while pending.
        public var outcome: String?
    }

    public struct State: Sendable, Equatable, Codable {
        public var exists = false
        public var orderId = ""
        public var userId = ""
        public var status = OrderStatus.awaitingPayment
        public var lines: [OrderLine] = []
        public var totalCents: Int64 = 0
        public var address: Sealed?
        public var note: Sealed?
        public var placedAt = Timestamp(millis: 0)
        public var payBy = Timestamp(millis: 0)
        public var payment: Payment?
        public var shipment: Shipment?
        public var refund: Refund?
        public var history: [HistoryEntry] = []

        public init() {}

        public var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .placed(let e):
            s.exists = true
            s.orderId = e.orderId
            s.userId = e.userId
            s.status = .awaitingPayment
            s.lines = e.lines
            s.totalCents = e.totalCents
            s.address = e.address
            s.note = e.note
            s.placedAt = e.placedAt
            s.payBy = e.payBy
            s.history = [HistoryEntry(status: .awaitingPayment, at: e.placedAt, reason: nil)]
        case .paymentRequested(let e):
            s.payment = Payment(paymentId: e.paymentId, amountCents: e.amountCents, nonceStr: e.nonceStr, timeStamp: e.timeStamp,
                                expiresAt: e.expiresAt, transactionId: nil, paidAt: nil)
        case .paid(let e):
            s.payment?.transactionId = e.transactionId
            s.payment?.paidAt = e.paidAt
            s.status = .paid
            s.history.append(HistoryEntry(status: .paid, at: e.recordedAt, reason: nil))
        case .cancelled(let e):
            s.status = .cancelled
            s.history.append(HistoryEntry(status: .cancelled, at: e.at, reason: e.reason))
        case .shipped(let e):
            s.status = .shipped
            s.shipment = Shipment(carrier: e.carrier, trackingNumber: e.trackingNumber, shippedAt: e.shippedAt)
            s.history.append(HistoryEntry(status: .shipped, at: e.shippedAt, reason: nil))
        case .completed(let e):
            s.status = .completed
            s.history.append(HistoryEntry(status: .completed, at: e.at, reason: e.reason == "auto_received" ? e.reason : nil))
        case .refundRequested(let e):
            s.status = .refundRequested
            s.refund = Refund(reason: e.reason, automaticReason: nil, requestedAt: e.requestedAt, fromStatus: e.fromStatus, outcome: nil)
            s.history.append(HistoryEntry(status: .refundRequested, at: e.requestedAt, reason: nil))
        case .refundApproved(let e):
            s.status = .refunded
            s.refund?.outcome = "approved"
            s.history.append(HistoryEntry(status: .refunded, at: e.at, reason: nil))
        case .refundRejected(let e):
            let back = s.refund?.fromStatus ?? .paid
            s.status = back
            s.refund?.outcome = "rejected"
            s.history.append(HistoryEntry(status: back, at: e.at, reason: "refund_rejected"))
        case .latePaymentRefunded(let e):
            s.payment?.transactionId = e.transactionId
            s.payment?.paidAt = e.paidAt
            s.status = .refunded
            s.refund = Refund(reason: nil, automaticReason: "paid_after_cancellation", requestedAt: e.at, fromStatus: nil, outcome: "approved")
            s.history.append(HistoryEntry(status: .refunded, at: e.at, reason: "paid_after_cancellation"))
        }
    }
}

extension Order.State {
    /// The order without its buyer's personal data (address, note, refund reason), as read
    /// models keep it after the buyer is erased: each becomes `Sealed.scrubbed`, so it still
    /// shows as `[erased]`. Amounts and lines stay for accounting.
    public func erasingPersonalData() -> Order.State {
        var copy = self
        copy.address = address.map { _ in Sealed.scrubbed }
        copy.note = note.map { _ in Sealed.scrubbed }
        if let refund {
            copy.refund = Order.Refund(reason: refund.reason.map { _ in Sealed.scrubbed }, automaticReason: refund.automaticReason,
                                       requestedAt: refund.requestedAt, fromStatus: refund.fromStatus, outcome: refund.outcome)
        }
        return copy
    }
}
