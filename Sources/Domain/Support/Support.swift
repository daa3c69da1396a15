/// A customer's conversation with customer service. Stream `support-<userId>`.
public enum Support: Decider {
    public enum Sender: String, Sendable, Codable {
        case customer
        case agent
    }

    public struct MessagePosted: EventPayload, Equatable {
        public static let typeName = "SupportMessagePosted"
        public let messageId: String
        public let from: Sender
        /// Sealed under the customer's key (the conversation is theirs), agent replies too.
        public let text: Sealed
        public let orderId: String?
        /// The admin who answered, for agent messages.
        public let agentId: String?
        public let at: Timestamp
    }

    public enum Event: Sendable, Equatable {
        case messagePosted(MessagePosted)
    }

    public struct State: Sendable, Equatable, Codable {
        public var messageCount = 0
        public var lastMessageAt: Timestamp?
        public var awaitingReply = false
        public init() {}
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .messagePosted(let e):
            s.messageCount += 1
            s.lastMessageAt = e.at
            s.awaitingReply = e.from == .customer
        }
    }

    public struct Post: Sendable {
        public let messageId: String
        public let from: Sender
        public let text: Sealed
        public let orderId: String?
        public let agentId: String?
        public let now: Timestamp

        public init(messageId: String, from: Sender, text: Sealed, orderId: String?, agentId: String?, now: Timestamp) {
            self.messageId = messageId
            self.from = from
            self.text = text
            self.orderId = orderId
            self.agentId = agentId
            self.now = now
        }
    }

    /// A customer may refer to one of their own orders; an agent writes only to an existing
    /// customer.
    public static func decidePost(_ command: Post, customer: Account.State, referencedOrder: Order.State?) throws(Rejection) -> [Event] {
        guard customer.isActive else { throw .notFound(resource: "user", id: customer.userId) }
        if let orderId = command.orderId {
            guard let order = referencedOrder, order.exists, order.userId == customer.userId else {
                throw .notFound(resource: "order", id: orderId)
            }
        }
        return [.messagePosted(MessagePosted(messageId: command.messageId, from: command.from, text: command.text, orderId: command.orderId,
                                             agentId: command.agentId, at: command.now))]
    }
}
