/// Erasing an account (PIPL's right to deletion): refused while an order still needs the
/// buyer's data; orders awaiting payment are cancelled first; the username and WeChat link
/// are released. The application destroys the data key in the same transaction.
public enum Erasure {
    public struct Outcome: Sendable, Equatable {
        public let account: [Account.Event]
        public let claim: [UsernameClaim.Event]
        public let wechat: [WeChatLink.Event]
        public let orders: [(orderId: String, decision: OrderDecision)]

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.account == b.account && a.claim == b.claim && a.wechat == b.wechat
                && a.orders.map(\.orderId) == b.orders.map(\.orderId) && a.orders.map(\.decision) == b.orders.map(\.decision)
        }
    }

    public static func decide(now: Timestamp, account: Account.State, orders: [Order.State]) throws(Rejection) -> Outcome {
        guard account.isActive else { throw .notFound(resource: "user", id: account.userId) }
        if let busy = orders.first(where: { $0.status.needsBuyer }) {
            throw .invalidState("order \(busy.orderId) is \(busy.status.rawValue); the account can be erased once it is settled")
        }
        var cancelled: [(orderId: String, decision: OrderDecision)] = []
        for order in orders where order.status == .awaitingPayment {
            let decision = try Order.decideCancel(reason: .accountErased, now: now, order)
            cancelled.append((order.orderId, decision))
        }
        let claim: [UsernameClaim.Event] = account.usernameKey.isEmpty ? [] : [.released(UsernameClaim.Released(userId: account.userId))]
        let wechat: [WeChatLink.Event] = account.openIdKey == nil ? [] : [.unlinked(WeChatLink.Unlinked(userId: account.userId))]
        return Outcome(account: [.erased(Account.Erased(at: now))], claim: claim, wechat: wechat, orders: cancelled)
    }
}
