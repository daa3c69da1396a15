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

/// A token bucket per client address: `rate` requests a second, bursts of up to one second's
/// worth. Answers how many whole seconds to wait when a request is over the limit.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let now: @Sendable () -> Double

    init(requestsPerSecond: Int, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        rate = Double(requestsPerSecond)
        self.now = now
    }

    /// nil when admitted; otherwise the `Retry-After` seconds.
    func admit(_ client: String) -> Int? {
        let time = now()
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: rate, updated: time)
            bucket.tokens = min(rate, bucket.tokens + (time - bucket.updated) * rate)
            bucket.updated = time
            defer {
                buckets[client] = bucket
                if buckets.count > 100_000 { buckets = buckets.filter { time - $0.value.updated < 2 } }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

extension Services {
    /// The address a client is known by: the peer, or — when the peer is a trusted proxy —
    /// the right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
    func clientAddress(peer: String?, forwardedFor: String?) -> String {
        let peer = peer ?? "local"
        guard configuration.trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !configuration.trustedProxies.contains(hop) {
            return hop
        }
        return hops.first ?? peer
    }

    /// The address one request's client is known by.
    func clientAddress(of request: Request, _ context: AppContext) -> String {
        clientAddress(peer: context.peerAddress, forwardedFor: request.headers[.xForwardedFor])
    }

    /// Loopback peers (and router tests, which have no socket).
    static func isLoopback(_ address: String) -> Bool {
        address == "local" || address == "127.0.0.1" || address == "::1" || address.hasPrefix("127.") || address == "::ffff:127.0.0.1"
    }
}
