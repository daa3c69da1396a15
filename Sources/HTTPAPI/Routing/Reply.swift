import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// What a handler answers; the endpoint pipeline turns it into a response with the API's
/// headers (`X-Log-Position`, `X-Read-Position`, `ETag`, security headers).
struct Reply: Sendable {
    enum Body: Sendable {
        case json(JSONValue)
        /// Bytes of a JSON document stored exactly as answered.
        case stored([UInt8])
        /// Another content type (Prometheus text).
        case text([UInt8], contentType: String)
    }

    var status: HTTPResponse.Status
    var body: Body
    /// For commands: the position of the last event appended (or of the addressed stream).
    var logPosition: UInt64?
    /// For queries: the position the read model had applied.
    var readPosition: UInt64?
    var etag: UInt64?

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, readPosition: UInt64? = nil, etag: UInt64? = nil) -> Reply {
        Reply(status: status, body: .json(value), readPosition: readPosition, etag: etag)
    }

    static func command(_ value: JSONValue, status: HTTPResponse.Status = .ok, position: UInt64, etag: UInt64? = nil) -> Reply {
        Reply(status: status, body: .json(value), logPosition: position, etag: etag)
    }
}
