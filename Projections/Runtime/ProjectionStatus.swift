/// How a projection stands, for `/ready`, `GET /v1/admin/projections` and metrics.
public struct ProjectionStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case running
        case rebuilding
        case failed
    }

    public let name: String
    public let position: UInt64
    public let lag: UInt64
    public let status: State
    /// For a failed projection: the event it stopped at and why.
    public let error: String?
}
