import Application
import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// One request as a handler sees it, after the pipeline's checks: who is calling, the parsed
/// body, the idempotency claim, and helpers for parameters and command metadata.
struct Call: Sendable {
    let request: Request
    let context: AppContext
    let services: Services
    let principal: AccountService.Principal?
    /// The body as a JSON object (routes that take a body); an empty optional body is `{}`.
    let body: OrderedJSON
    let rawBody: [UInt8]
    /// The client address rate limits, anonymous actors and `/metrics` go by (worked out
    /// when asked: most calls never do).
    var client: String {
        services.clientAddress(of: request, context)
    }
    let requestId: String
    /// `Idempotency-Key` scoped to the caller, with the request's fingerprint.
    let idempotency: IdempotencyClaim?
    /// The query string, parsed once: `request.uri.queryParameters` parses (and allocates)
    /// again on every access, and a list request reads four or five parameters.
    let queryParameters: FlatDictionary<Substring, Substring>

    var userId: String {
        get throws {
            guard let principal else { throw APIError.unauthorized() }
            return principal.userId
        }
    }

    /// A path parameter, percent-decoded.
    func parameter(_ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        // Ids are plain ASCII: only a parameter with an escape goes through Foundation's
        // decoder (a twentieth of an order detail's CPU when every one did).
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    func query(_ name: String) -> String? {
        queryParameters.get(name)
    }

    var metadata: CommandMetadata {
        CommandMetadata(commandId: services.ids.next(), correlationId: requestId, actor: principal?.userId ?? "anonymous:" + client)
    }

    var now: Timestamp { services.clock.now() }

    /// `page` and `pageSize` (1–100, default 20); 400 when malformed.
    func pagination() throws -> (page: Int, pageSize: Int) {
        var page = 1
        var size = 20
        if let text = query("page") {
            guard let value = Int(text), value >= 1, value <= 1_000_000 else { throw APIError.badRequest("page must be an integer ≥ 1") }
            page = value
        }
        if let text = query("pageSize") {
            guard let value = Int(text), (1...100).contains(value) else { throw APIError.badRequest("pageSize must be an integer 1–100") }
            size = value
        }
        return (page, size)
    }

    /// `If-Match: "N"` → N; nil when absent or `*`; 400 when malformed.
    func ifMatch() throws -> UInt64? {
        guard let header = request.headers.single(.ifMatch)?.trimmingCharacters(in: .whitespaces) else { return nil }
        if header == "*" { return nil }
        var text = Substring(header)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        guard text.count >= 3, text.first == "\"", text.last == "\"", let version = UInt64(text.dropFirst().dropLast()) else {
            throw APIError.badRequest("If-Match must be a quoted version, like \"3\"")
        }
        return version
    }
}
