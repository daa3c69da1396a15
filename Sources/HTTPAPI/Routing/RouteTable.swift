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

    /// A route with its template cut into segments (`nil` for a `{parameter}`) once, when it
    /// is added: every unmatched request is checked against all of them (404 or 405), and
    /// splitting each template per request made a 404 cost twice a `/health`.
    private struct Entry {
        let route: Route
        let segments: [Substring?]
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { $0.hasPrefix("{") ? nil : $0 }
        entries.withLock { $0.append(Entry(route: Route(method: method.rawValue, path: path), segments: segments)) }
    }

    public var routes: [Route] { entries.withLock { $0.map(\.route) } }

    /// Methods registered for templates matching `path` (empty: unknown path).
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<String>()
        entries.withLock { entries in
            for entry in entries where entry.segments.count == segments.count
                && zip(entry.segments, segments).allSatisfy({ template, segment in template.map { $0 == segment } ?? true }) {
                methods.insert(entry.route.method)
            }
        }
        return methods.sorted()
    }
}
