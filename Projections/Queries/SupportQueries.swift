import Domain
import Foundation
import LMDB

/// Customer-service conversations for customers and agents.
public struct SupportQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    /// A customer's messages, oldest first (texts still sealed).
    public func messages(_ userId: String) throws -> Positioned<[SupportProjection.MessageDocument]> {
        try readModels.read { txn in
            let handles = try readModels.handles("support")
            let decoder = JSONDecoder()
            let entries = try txn.page(try handles.database("messages"), prefix: KeyEncoding.stringPrefix(userId), offset: 0, limit: .max)
            let messages = try entries.map { entry in
                try entry.value.withUnsafeBytes { try DocumentCodec.decode(SupportProjection.MessageDocument.self, from: $0, with: decoder) }
            }
            return Positioned(value: messages, position: try readModels.checkpoint("support", in: txn))
        }
    }

    public struct Conversation: Sendable {
        public let userId: String
        /// Sealed; nil once the customer is erased.
        public let username: Sealed?
        public let lastMessageAt: Timestamp
        public let awaitingReply: Bool
    }

    /// Every conversation, most recent first.
    public func conversations() throws -> Positioned<[Conversation]> {
        try readModels.read { txn in
            let support = try readModels.handles("support")
            let accounts = try readModels.handles("accounts")
            let decoder = JSONDecoder()
            var result: [Conversation] = []
            for entry in try txn.page(try support.database("recent"), prefix: [], offset: 0, limit: .max) {
                let userId = String(decoding: entry.key.dropFirst(8), as: UTF8.self)
                guard let bytes = try txn.get(try support.database("conversations"), Array(userId.utf8)) else { continue }
                let conversation = try DocumentCodec.decode(SupportProjection.ConversationDocument.self, from: bytes, with: decoder)
                let user = try txn.get(try accounts.database("users"), Array(userId.utf8))
                    .map { try DocumentCodec.decode(AccountsProjection.UserDocument.self, from: $0, with: decoder) }
                result.append(Conversation(userId: userId, username: user?.username, lastMessageAt: conversation.lastMessageAt,
                                           awaitingReply: conversation.awaitingReply))
            }
            return Positioned(value: result, position: try readModels.checkpoint("support", in: txn))
        }
    }
}
