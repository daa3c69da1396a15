import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections
import Synchronization

/// Every route the API registers, by method and path template: lets an unknown method on a
/// known path answer 405 with `Allow` (Hummingbird alone answers 404), and lets a test check
/// the router against `openapi.yaml`.
public final class RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public let method: String
        /// Template with `{name}` parameters, as in `openapi.yaml`.
        public let path: String
    }

    private let entries = Mutex<[Route]>([])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ path: String) {
        entries.withLock { $0.append(Route(method: method.rawValue, path: path)) }
    }

    public var routes: [Route] { entries.withLock { $0 } }

    /// Methods registered for templates matching `path` (empty: unknown path).
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return Set(routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { t, s in t.hasPrefix("{") || t == s }
        }.map(\.method)).sorted()
    }
}
