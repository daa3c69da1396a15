/// Who and what caused an event: the `metadata` member of every record.
public struct EventMetadata: Sendable, Hashable, Codable {
    /// The command that appended the event.
    public var commandId: String?
    /// Shared by everything one request (or one timer run) caused.
    public var correlationId: String?
    /// The command or event this one follows from.
    public var causationId: String?
    /// The user id (or `system`) on whose behalf it happened.
    public var actor: String?

    public init(commandId: String? = nil, correlationId: String? = nil, causationId: String? = nil, actor: String? = nil) {
        self.commandId = commandId
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
    }
}
