import CanonicalJSON

/// A domain event's data: a `Codable` struct whose stored type name is frozen forever.
///
/// A changed shape gets a new type name (`OrderPlaced.v2`) and an upcaster in
/// `EventUpcasting`; old records are never rewritten.
public protocol EventPayload: Codable, Sendable {
    static var typeName: String { get }
}

extension EventPayload {
    /// The payload as JSON, ready for the log.
    public func jsonValue() throws -> JSONValue {
        try JSONValueEncoder().encode(self)
    }
}
