import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Projections

/// The per-request context: Hummingbird's core storage plus the peer address (for rate
/// limits, anonymous idempotency scopes and the loopback rule of `/metrics`).
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer's IP address; nil in router tests (no socket), which count as local.
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are read by the endpoint pipeline itself (64 KiB, API.md).
    public var maxUploadSize: Int { BodyLimit.maxBytes }
}

enum BodyLimit {
    static let maxBytes = 64 * 1024
}
