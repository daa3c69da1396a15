/// The version a conditional append expects a stream to be at.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must not exist yet (claims a unique name).
    case noStream
    /// The stream must be exactly at this version (optimistic concurrency).
    case exact(UInt64)

    func admits(_ actual: UInt64?) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == nil
        case .exact(let n): n == 0 ? actual == nil : actual == n
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let n): "\(n)"
        }
    }
}
