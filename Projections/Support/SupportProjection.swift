import Domain

/// Customer-service conversations.
///
/// - `messages`: userId ‖ 0x00 ‖ sequence (from 1, gapless) → `MessageDocument` (text sealed),
///   oldest first — a page of a conversation is one seek
/// - `conversations`: userId → `ConversationDocument`
/// - `recent`: inverted last-message position ‖ userId → awaiting-reply flag (1 byte), most
///   recent first: the agents' inbox
/// - `awaiting`: the same keys for the conversations awaiting an agent's reply only (the
///   inbox filtered, and its size from LMDB's entry count)
public struct SupportProjection: Projection {
    public let name = "support"
    public let databases = ["messages", "conversations", "recent", "awaiting"]
    /// 2: `recent` carries the awaiting flag, and `awaiting` was added.
    public let layoutVersion: UInt64 = 2

    public init() {}

    public struct MessageDocument: Codable, Sendable, Equatable {
        public let messageId: String
        public let from: Support.Sender
        public var text: Sealed?
        public let orderId: String?
        public let at: Timestamp
    }

    public struct ConversationDocument: Codable, Sendable, Equatable {
        public let userId: String
        public var lastMessageAt: Timestamp
        public var lastPosition: UInt64
        public var awaitingReply: Bool
        public var messageCount: UInt64
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        switch projected.event {
        case .support(.messagePosted(let e)):
            let userId = projected.entityId
            var conversation = try context.document(ConversationDocument.self, "conversations", userId)
                ?? ConversationDocument(userId: userId, lastMessageAt: e.at, lastPosition: 0, awaitingReply: false, messageCount: 0)
            if conversation.lastPosition > 0 {
                let old = Self.inboxKey(conversation.lastPosition, userId)
                try context.delete("recent", old)
                if conversation.awaitingReply { try context.delete("awaiting", old) }
            }
            conversation.messageCount += 1
            conversation.lastMessageAt = e.at
            conversation.lastPosition = projected.position
            conversation.awaitingReply = e.from == .customer
            try context.setDocument(conversation, "conversations", userId)
            let key = Self.inboxKey(projected.position, userId)
            try context.put("recent", key, [conversation.awaitingReply ? 1 : 0])
            if conversation.awaitingReply { try context.put("awaiting", key, []) }
            let message = MessageDocument(messageId: e.messageId, from: e.from, text: e.text, orderId: e.orderId, at: e.at)
            try context.put("messages", Self.messageKey(userId, conversation.messageCount), try DocumentCodec.encode(message))
        case .account(.erased):
            let userId = projected.entityId
            for entry in try context.entries("messages", prefix: KeyEncoding.stringPrefix(userId)) {
                guard var message = try? DocumentCodec.decode(MessageDocument.self, from: entry.value) else { continue }
                message.text = message.text.map { _ in Sealed.scrubbed }
                try context.put("messages", entry.key, try DocumentCodec.encode(message))
            }
        default:
            return
        }
    }

    static func messageKey(_ userId: String, _ sequence: UInt64) -> [UInt8] {
        KeyEncoding.key(.string(userId), .number(sequence))
    }

    /// A conversation's place in the inbox: by its last message, most recent first.
    static func inboxKey(_ lastPosition: UInt64, _ userId: String) -> [UInt8] {
        KeyEncoding.key(.inverted(lastPosition), .tail(userId))
    }

    /// Bytes of an inbox key before the user id.
    static let inboxKeyPrefixCount = 8
}

// Read in place, not through Foundation's decoder: a customer's conversation reads every
// message document (the decoder was half of `GET /v1/support/messages` with thirty messages),
// an agent's list every conversation. The synthesized `Decodable` decides whatever these refuse.

extension SupportProjection.MessageDocument: StoredDocumentReadable {
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "MessageDocument")
        return Self(messageId: try document.string("messageId"), from: try document.rawValue("from", as: Support.Sender.self),
                    text: try document.optionalObject("text").map { (sealed) throws(StoredShapeError) in try Sealed(stored: sealed) },
                    orderId: try document.optionalString("orderId"), at: try document.timestamp("at"))
    }
}

extension SupportProjection.ConversationDocument: StoredDocumentReadable {
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "ConversationDocument")
        return Self(userId: try document.string("userId"), lastMessageAt: try document.timestamp("lastMessageAt"),
                    lastPosition: try document.uint64("lastPosition"), awaitingReply: try document.bool("awaitingReply"),
                    messageCount: try document.uint64("messageCount"))
    }
}
