import Domain
import EventStore

extension CommandProcessor {
    /// Posts a message to a customer's support conversation (by the customer or an agent).
    public func postSupportMessage(customerId: String, _ command: Support.Post, metadata: CommandMetadata,
                                   idempotency: IdempotencyClaim? = nil,
                                   remember: (@Sendable (Support.MessagePosted, UInt64) -> [UInt8])? = nil) async throws -> Submission<Support.MessagePosted> {
        try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let customer = try session.load(Account.self, StreamId.user(customerId))
            guard customer.state.isActive else { throw Rejection.notFound(resource: "user", id: customerId) }
            let order = try command.orderId.map { try session.load(Order.self, StreamId.order($0)).state }
            let events = try Support.decidePost(command, customer: customer.state, referencedOrder: order)
            try session.append(Support.self, StreamId.support(customerId), events)
            guard case .messagePosted(let posted)? = events.first else { throw Rejection.invalidState("nothing posted") }
            return session.decision { posted }
        }
    }
}
