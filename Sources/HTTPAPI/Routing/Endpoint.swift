import Application
import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Projections

/// How a route is guarded and what it takes.
struct EndpointSpec: Sendable {
    enum Access: Sendable {
        case anyone
        case signedIn
        case admin
    }

    enum BodyRule: Sendable {
        case none
        case optional
        case required
    }

    var access: Access
    var body: BodyRule = .none
    /// Projections a GET reads (for `X-Min-Position` and `X-Read-Position`).
    var reads: [String] = []
    /// `/health`, `/ready` and `/metrics` are not rate limited.
    var rateLimited = true
}

/// The request pipeline every route goes through, in API.md's order of precedence: (route
/// 404/405 happen before), 429, 413, 401, 403, 400 (headers, JSON), then the handler's 422,
/// 404, 412 and 409.
struct Endpoint: Sendable {
    let spec: EndpointSpec
    let services: Services
    let handler: @Sendable (Call) async throws -> Reply

    func respond(_ request: Request, _ context: AppContext) async throws -> Response {
        let requestId = Self.requestId(request, context)
        if spec.rateLimited, let limiter = services.rateLimiter,
           let retryAfter = limiter.admit(services.clientAddress(of: request, context)) {
            services.metrics.rateLimited()
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
        var rawBody: [UInt8] = []
        if spec.body != .none {
            rawBody = try await Self.collectBody(request)
        }
        let principal = try authenticate(request)
        let isCommand = request.method != .get && request.method != .head
        let idempotency = isCommand ? try Self.idempotencyClaim(request, rawBody: rawBody, scope: principal?.userId ?? "client:" + services.clientAddress(of: request, context)) : nil
        let body = try Self.parseBody(rawBody, rule: spec.body)
        if let query = request.uri.query, query.utf8.contains(UInt8(ascii: "%")), !QueryString.decodesToUTF8(query) {
            throw APIError.badRequest("the query string is not UTF-8 once its percent escapes are decoded")
        }
        if request.method == .get, let header = request.headers.single(.xMinPosition) {
            guard let position = UInt64(header.trimmingCharacters(in: .whitespaces)) else {
                throw APIError.badRequest("X-Min-Position must be a non-negative integer")
            }
            // Every position this server hands out is at most the head; one beyond it was never
            // written, and waiting for it would only turn a client's mistake into a 503.
            let head = try services.store.headPosition
            guard position <= head else {
                throw APIError.badRequest("X-Min-Position \(position) is beyond the log head \(head): no such position has been written")
            }
            try await waitForReadModels(position)
        }
        let call = Call(request: request, context: context, services: services, principal: principal, body: body, rawBody: rawBody,
                        requestId: requestId, idempotency: idempotency, queryParameters: request.uri.queryParameters)
        let reply = try await handler(call)
        // Private: anything answered to a signed-in caller, and every command's answer (a
        // registration or login carries a token; no command's answer is worth caching).
        return finish(reply, request: request, requestId: requestId, isPrivate: principal != nil || isCommand)
    }

    // MARK: Steps

    static func requestId(_ request: Request, _ context: AppContext) -> String {
        if let given = request.headers.single(.xRequestId), (1...64).contains(given.utf8.count),
           given.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
            return given
        }
        return context.id
    }

    static func collectBody(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers.single(.contentLength).flatMap({ Int($0) }), length > BodyLimit.maxBytes {
            throw APIError.payloadTooLarge
        }
        do {
            let buffer = try await request.body.collect(upTo: BodyLimit.maxBytes)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        }
    }

    func authenticate(_ request: Request) throws -> AccountService.Principal? {
        let header = request.headers.single(.authorization)
        guard spec.access != .anyone else {
            // Public routes ignore a token; a bad one must not turn a public read into a 401.
            return header.flatMap(Self.bearerToken).flatMap { try? services.accounts.authenticate($0) }
        }
        guard let header else { throw APIError.unauthorized("this route needs Authorization: Bearer <token>") }
        guard let token = Self.bearerToken(header) else { throw APIError.unauthorized("the Authorization header must be Bearer <token>") }
        let principal: AccountService.Principal
        do {
            principal = try services.accounts.authenticate(token)
        } catch is AccountService.Failure {
            throw APIError.unauthorized("the token is malformed, expired, revoked or forged")
        }
        if spec.access == .admin && principal.role != .admin { throw APIError.forbidden }
        return principal
    }

    static func bearerToken(_ header: String) -> String? {
        // "Bearer <token>", scheme case-insensitive (RFC 9110 §11.1), blanks around the token.
        // Read over the header's bytes in place: through the string's views it was a third of
        // authenticating a request.
        var header = header
        return header.withUTF8 { bytes -> String? in
            let scheme: StaticString = "bearer"
            let schemeLength = scheme.utf8CodeUnitCount
            guard bytes.count > schemeLength, ASCII.hasPrefix(bytes, ignoringCase: scheme) else { return nil }
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard isBlank(bytes[schemeLength]) else { return nil }
            var start = schemeLength
            while start < bytes.count && isBlank(bytes[start]) { start += 1 }
            var end = bytes.count
            while end > start && isBlank(bytes[end - 1]) { end -= 1 }
            guard start < end else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    static func idempotencyClaim(_ request: Request, rawBody: [UInt8], scope: String) throws -> IdempotencyClaim? {
        guard let key = request.headers.single(.idempotencyKey) else { return nil }
        guard (1...128).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw APIError.badRequest("Idempotency-Key must be 1–128 printable ASCII characters")
        }
        var fingerprint = Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8)
        fingerprint.append(contentsOf: rawBody)
        return IdempotencyClaim(key: scope + "\u{1F}" + key, fingerprint: SHA256.hash(fingerprint))
    }

    static func parseBody(_ raw: [UInt8], rule: EndpointSpec.BodyRule) throws -> OrderedJSON {
        switch rule {
        case .none: return .object([])
        case .optional where raw.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }): return .object([])
        case .required where raw.isEmpty: throw APIError.badRequest("this route needs a JSON object body")
        default: break
        }
        let value: OrderedJSON
        do {
            value = try JSONParser.parseOrdered(raw, repeatedNames: .refused)
        } catch where error.repeatedName != nil {
            // Valid JSON to RFC 8259, but ambiguous: which of the two did the client mean?
            throw APIError.badRequest("the body is ambiguous: \(error.reason) (at byte \(error.offset))")
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object = value else { throw APIError.badRequest("the body must be a JSON object, not \(value.typeName)") }
        return value
    }

    func waitForReadModels(_ position: UInt64) async throws {
        let names = spec.reads.isEmpty ? [nil] : spec.reads.map { Optional($0) }
        for name in names {
            guard await services.runner.waitUntil(position: position, projection: name, timeout: .seconds(3)) else {
                throw APIError.projectionLagging("the read model has not reached position \(position) within 3 s")
            }
        }
    }

    /// The fields every response carries alike, checked and built once (each `HTTPField`
    /// checks its value byte by byte when made).
    private static let noSniff = HTTPField(name: .xContentTypeOptions, value: "nosniff")
    private static let noStore = HTTPField(name: .cacheControl, value: "no-store")
    private static let jsonContent = HTTPField(name: .contentType, value: "application/json")

    func finish(_ reply: Reply, request: Request, requestId: String, isPrivate: Bool) -> Response {
        // Appended, not assigned: each name once into a fresh list, so nothing to search or replace.
        var headers = HTTPFields()
        headers.reserveCapacity(10)
        headers.append(Self.noSniff)
        headers.append(HTTPField(name: .xRequestId, value: requestId))
        if isPrivate { headers.append(Self.noStore) }
        var bytes: [UInt8]
        switch reply.body {
        case .json(var value):
            if let position = reply.logPosition, case .object(var members) = value {
                members["position"] = .int(Int64(position))
                value = .object(members)
            }
            bytes = value.serialized()
            headers.append(Self.jsonContent)
        case .stored(let stored):
            bytes = stored
            headers.append(Self.jsonContent)
        case .text(let text, let contentType):
            bytes = text
            headers.append(HTTPField(name: .contentType, value: contentType))
        }
        if let position = reply.logPosition { headers.append(HTTPField(name: .xLogPosition, value: String(position))) }
        if request.method == .get {
            let position = reply.readPosition ?? services.runner.applied.head
            headers.append(HTTPField(name: .xReadPosition, value: String(position)))
        }
        if let etag = reply.etag { headers.append(HTTPField(name: .eTag, value: "\"\(etag)\"")) }
        // Given here, where the list is still ours alone: `Response` adds a missing length to
        // a copy of the whole list (a tenth of this function under `GET /health`).
        headers.append(HTTPField(name: .contentLength, value: String(bytes.count)))
        return Response(status: reply.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Router where Context == AppContext {
    /// Registers a route through the endpoint pipeline and records it in `table`.
    func endpoint(_ method: HTTPRequest.Method, _ path: String, _ spec: EndpointSpec, table: RouteTable, services: Services,
                  _ handler: @escaping @Sendable (Call) async throws -> Reply) {
        table.add(method, path)
        let endpoint = Endpoint(spec: spec, services: services, handler: handler)
        on(RouterPath(path), method: method) { request, context in
            try await endpoint.respond(request, context)
        }
    }
}
