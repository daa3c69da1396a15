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
    /// The TCP peer; nil in router tests (no socket), which count as local.
    private let peer: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
    }

    /// The TCP peer's IP address as text. Formatted only when asked (a rate limit, an anonymous
    /// command, `/metrics`): `inet_ntop` and its `sprintf` on every request were ~2 % of the
    /// request handlers' CPU under `POST /v1/orders` by a signed-in buyer, who needs none of it.
    public var peerAddress: String? { peer?.ipAddress }

    /// Bodies are read by the endpoint pipeline itself (64 KiB, API.md).
    public var maxUploadSize: Int { BodyLimit.maxBytes }
}

enum BodyLimit {
    static let maxBytes = 64 * 1024
}
