import Domain
import Foundation
import LMDB

/// Customer-service conversations for customers and agents.
public struct SupportQueries: Sendable {
    let readModels: ReadModelStore

    public init(readModels: ReadModelStore) {
        self.readModels = readModels
    }

    /// A customer's messages, oldest first (texts still sealed): from the `offset`-th on, at
    /// most `limit`, with how many the conversation holds. Messages are numbered from 1 in their
    /// keys, so any page is one seek, however long the conversation.
    public func messages(_ userId: String, offset: Int = 0, limit: Int = .max) throws -> Positioned<(messages: [SupportProjection.MessageDocument], total: Int)> {
        try readModels.read { txn in
            let handles = try readModels.handles("support")
            let decoder = JSONDecoder()
            let total = try txn.get(try handles.database("conversations"), Array(userId.utf8))
                .map { Int(try DocumentCodec.decode(SupportProjection.ConversationDocument.self, from: $0, with: decoder).messageCount) } ?? 0
            var messages: [SupportProjection.MessageDocument] = []
            if offset < total, limit > 0 {
                let first = SupportProjection.messageKey(userId, UInt64(offset) + 1)
                for entry in try txn.page(try handles.database("messages"), prefix: KeyEncoding.stringPrefix(userId), from: first, limit: limit) {
                    messages.append(try entry.value.withUnsafeBytes {
                        try DocumentCodec.decode(SupportProjection.MessageDocument.self, from: $0, with: decoder)
                    })
                }
            }
            return Positioned(value: (messages, total), position: try readModels.checkpoint("support", in: txn))
        }
    }

    public struct Conversation: Sendable {
        public let userId: String
        /// Sealed; nil once the customer is erased.
        public let username: Sealed?
        public let lastMessageAt: Timestamp
        public let awaitingReply: Bool
    }

    /// The agents' inbox, most recent first: every conversation, or only those awaiting (or not
    /// awaiting) a reply; from the `offset`-th on, at most `limit`, with how many there are.
    public func conversations(awaitingReply: Bool? = nil, offset: Int = 0, limit: Int = .max) throws -> Positioned<(conversations: [Conversation], total: Int)> {
        try readModels.read { txn in
            let support = try readModels.handles("support")
            let accounts = try readModels.handles("accounts")
            let decoder = JSONDecoder()
            let recent = try support.database("recent"), awaiting = try support.database("awaiting")
            let total: Int
            let keys: [[UInt8]]
            switch awaitingReply {
            case nil:
                total = try txn.count(recent)
                keys = try txn.page(recent, prefix: [], offset: offset, limit: limit).map(\.key)
            case true?:
                total = try txn.count(awaiting)
                keys = try txn.page(awaiting, prefix: [], offset: offset, limit: limit).map(\.key)
            case false?:
                // The answered ones are the inbox without the awaiting ones; their flag is in the
                // inbox's values, so skipping to a page reads no documents.
                total = try txn.count(recent) - txn.count(awaiting)
                keys = try txn.page(recent, prefix: [], offset: offset, limit: limit, where: { $0.first == 0 }).map(\.key)
            }
            var result: [Conversation] = []
            result.reserveCapacity(keys.count)
            for key in keys {
                let userId = String(decoding: key.dropFirst(SupportProjection.inboxKeyPrefixCount), as: UTF8.self)
                guard let bytes = try txn.get(try support.database("conversations"), Array(userId.utf8)) else { continue }
                let conversation = try DocumentCodec.decode(SupportProjection.ConversationDocument.self, from: bytes, with: decoder)
                let user = try txn.get(try accounts.database("users"), Array(userId.utf8))
                    .map { try DocumentCodec.decode(AccountsProjection.UserDocument.self, from: $0, with: decoder) }
                result.append(Conversation(userId: userId, username: user?.username, lastMessageAt: conversation.lastMessageAt,
                                           awaitingReply: conversation.awaitingReply))
            }
            return Positioned(value: (result, total), position: try readModels.checkpoint("support", in: txn))
        }
    }
}
