import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Customer service: the customer's conversation and the agents' inbox.
struct SupportRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.post, "/v1/support/messages", EndpointSpec(access: .signedIn, body: .required), table: table, services: services) { call in
            let userId = try call.userId
            var body = BodyReader(call.body)
            let text = body.string("text", length: 1...2000, text: .multiLine)
            let orderId = body.string("orderId", required: false, length: 1...64)
            try body.finish()
            guard let text else { throw APIError.internalError }
            return try await Self.post(call, customer: userId, from: .customer, text: text, orderId: orderId)
        }
        // The whole conversation, oldest first (API.md); a client that pages asks with `page`
        // or `pageSize` and gets a list body (`page`, `pageSize`, `total`).
        router.endpoint(.get, "/v1/support/messages", EndpointSpec(access: .signedIn, reads: ["support"]), table: table, services: services) { call in
            let paging = call.query("page") != nil || call.query("pageSize") != nil ? try call.pagination() : nil
            let offset = paging.map { ($0.page - 1) * $0.pageSize } ?? 0
            let messages = try call.services.support.messages(try call.userId, offset: offset, limit: paging?.pageSize ?? .max)
            let vault = call.services.vault
            let items: [JSONValue] = messages.value.messages.map { m in
                Self.message(messageId: m.messageId, from: m.from, text: m.text.map { vault.open($0) } ?? Sealed.erasedText, orderId: m.orderId, at: m.at)
            }
            return .json(Self.list(items, paging: paging, total: messages.value.total), readPosition: messages.position)
        }
        // The agents' inbox, most recent first, a page at a time (it holds every customer who
        // ever wrote); `awaitingReply` filters it.
        router.endpoint(.get, "/v1/admin/support/conversations", EndpointSpec(access: .admin, reads: ["support", "accounts"]), table: table,
                        services: services) { call in
            let paging = try call.pagination()
            let awaiting: Bool?
            switch call.query("awaitingReply") {
            case nil: awaiting = nil
            case "true": awaiting = true
            case "false": awaiting = false
            case let other?: throw APIError.badRequest("awaitingReply must be true or false, not \(other)")
            }
            let conversations = try call.services.support.conversations(awaitingReply: awaiting, offset: (paging.page - 1) * paging.pageSize,
                                                                        limit: paging.pageSize)
            let vault = call.services.vault
            let items: [JSONValue] = conversations.value.conversations.map { c in
                ["userId": .string(c.userId), "username": .string(c.username.map { vault.open($0) } ?? Sealed.erasedText),
                 "lastMessageAt": .string(c.lastMessageAt.rfc3339Seconds), "awaitingReply": .bool(c.awaitingReply)]
            }
            return .json(Self.list(items, paging: paging, total: conversations.value.total), readPosition: conversations.position)
        }
        router.endpoint(.post, "/v1/admin/support/{userId}/messages", EndpointSpec(access: .admin, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let text = body.string("text", length: 1...2000, text: .multiLine)
            try body.finish()
            guard let text else { throw APIError.internalError }
            return try await Self.post(call, customer: call.parameter("userId"), from: .agent, text: text, orderId: nil)
        }
    }

    static func post(_ call: Call, customer: String, from: Support.Sender, text: String, orderId: String?) async throws -> Reply {
        let vault = call.services.vault
        let sealed: Sealed
        do {
            sealed = try vault.seal(text, for: customer)
        } catch is PersonalDataVault.Failure {
            throw APIError.notFound("no customer \(customer)")
        }
        let command = Support.Post(messageId: call.services.ids.next(), from: from, text: sealed, orderId: orderId,
                                   agentId: from == .agent ? call.principal?.userId : nil, now: call.now)
        return try await call.command(status: .created, render: { (posted: Support.MessagePosted, position: UInt64) in
            Reply.command(message(messageId: posted.messageId, from: posted.from, text: vault.open(posted.text), orderId: posted.orderId, at: posted.at),
                          status: .created, position: position)
        }) { claim, remember in
            try await call.services.processor.postSupportMessage(customerId: customer, command, metadata: call.metadata, idempotency: claim, remember: remember)
        }
    }

    /// A list body: a page is `{items, page, pageSize, total}` (API.md's list convention); the
    /// whole list is `{items}`, as API.md gives the conversation.
    static func list(_ items: [JSONValue], paging: (page: Int, pageSize: Int)?, total: Int) -> JSONValue {
        guard let paging else { return ["items": .array(items)] }
        return ["items": .array(items), "page": .int(Int64(paging.page)), "pageSize": .int(Int64(paging.pageSize)), "total": .int(Int64(total))]
    }

    static func message(messageId: String, from: Support.Sender, text: String, orderId: String?, at: Timestamp) -> JSONValue {
        ["messageId": .string(messageId), "from": .string(from.rawValue), "text": .string(text), "orderId": orderId.map(JSONValue.string) ?? .null,
         "at": .string(at.rfc3339Seconds)]
    }
}
