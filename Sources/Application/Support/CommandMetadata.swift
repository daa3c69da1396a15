import EventStore

/// Who asked for a command and how it relates to others: becomes every event's `metadata`.
public struct CommandMetadata: Sendable {
    public let commandId: String
    public let correlationId: String
    public let causationId: String?
    /// The user id, `admin:<id>` is not used: admins are users; timers act as `system`.
    public let actor: String

    /// What every event of the command carries, its record member written here — where the
    /// command is made, off the writer (see `PreparedMetadata`).
    let eventMetadata: PreparedMetadata

    public init(commandId: String, correlationId: String, causationId: String? = nil, actor: String) {
        self.commandId = commandId
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        eventMetadata = PreparedMetadata(EventMetadata(commandId: commandId, correlationId: correlationId, causationId: causationId ?? commandId,
                                                       actor: actor))
    }
}
