import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// An error as the API answers it: RFC 9457 `application/problem+json` with a stable code.
///
/// Every error response is one of these; `ErrorMapping` turns everything else into one, in
/// one place. Bodies never carry stack traces, file paths or secrets.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let title: String
    public let detail: String
    /// Extension members (`skuIds`, `errors`).
    public var extensions: [String: JSONValue] = [:]
    /// Extra headers (`Retry-After`, `Allow`, `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ title: String, _ detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    public var body: JSONValue {
        var members: [String: JSONValue] = [
            "type": "about:blank", "title": .string(title), "status": .int(Int64(status.code)), "code": .string(code), "detail": .string(detail),
        ]
        for (key, value) in extensions { members[key] = value }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    public func makeResponse() -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        fields[.cacheControl] = "no-store"
        fields[.xContentTypeOptions] = "nosniff"
        let bytes = body.serialized()
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension APIError {
    static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, "BAD_REQUEST", "Bad request", detail) }
    static func unauthorized(_ detail: String = "a valid bearer token is required") -> APIError {
        var error = APIError(.unauthorized, "UNAUTHORIZED", "Unauthorized", detail)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
    static let invalidSignature = APIError(.unauthorized, "INVALID_SIGNATURE", "Invalid signature", "the notification's signature does not verify")
    static let forbidden = APIError(.forbidden, "FORBIDDEN", "Forbidden", "this route needs the admin role")
    static func notFound(_ detail: String) -> APIError { APIError(.notFound, "NOT_FOUND", "Not found", detail) }
    static func methodNotAllowed(allowed: [String]) -> APIError {
        var error = APIError(.methodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed", "this route allows \(allowed.joined(separator: ", "))")
        error.headers[.allow] = allowed.joined(separator: ", ")
        return error
    }
    static func alreadyExists(_ detail: String) -> APIError { APIError(.conflict, "ALREADY_EXISTS", "Already exists", detail) }
    static func outOfStock(_ skuIds: [String], _ detail: String) -> APIError {
        var error = APIError(.conflict, "OUT_OF_STOCK", "Out of stock", detail)
        error.extensions["skuIds"] = .array(skuIds.map(JSONValue.string))
        return error
    }
    static func notOrderable(_ skuIds: [String]) -> APIError {
        var error = APIError(.conflict, "NOT_ORDERABLE", "Not orderable", "skus of unlisted products cannot be ordered: \(skuIds.joined(separator: ", "))")
        error.extensions["skuIds"] = .array(skuIds.map(JSONValue.string))
        return error
    }
    static func purchaseLimitExceeded(_ skuIds: [String], _ detail: String) -> APIError {
        var error = APIError(.conflict, "PURCHASE_LIMIT_EXCEEDED", "Purchase limit exceeded", detail)
        error.extensions["skuIds"] = .array(skuIds.map(JSONValue.string))
        return error
    }
    static func invalidState(_ detail: String) -> APIError { APIError(.conflict, "INVALID_STATE", "Invalid state", detail) }
    static func versionConflict(_ detail: String) -> APIError { APIError(.preconditionFailed, "VERSION_CONFLICT", "Version conflict", detail) }
    static let payloadTooLarge = APIError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "Payload too large", "request bodies are limited to 64 KiB")
    static func validationFailed(_ errors: [(field: String, message: String)]) -> APIError {
        var error = APIError(.unprocessableContent, "VALIDATION_FAILED", "Validation failed",
                             errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
        error.extensions["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        return error
    }
    static let emptyCart = APIError(.unprocessableContent, "EMPTY_CART", "Empty cart", "the cart has no items to check out")
    static func amountMismatch(expected: Int64, received: Int64) -> APIError {
        APIError(.unprocessableContent, "AMOUNT_MISMATCH", "Amount mismatch", "the order total is \(expected), the notification says \(received)")
    }
    static let idempotencyKeyReused = APIError(.unprocessableContent, "IDEMPOTENCY_KEY_REUSED", "Idempotency key reused",
                                               "this Idempotency-Key was used for a different request")
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        var error = APIError(.tooManyRequests, "RATE_LIMITED", "Too many requests", "slow down; retry after \(seconds) s")
        error.headers[.retryAfter] = String(seconds)
        return error
    }
    static func notConfigured(_ detail: String) -> APIError { APIError(.serviceUnavailable, "NOT_CONFIGURED", "Not configured", detail) }
    static func projectionLagging(_ detail: String) -> APIError { APIError(.serviceUnavailable, "PROJECTION_LAGGING", "Projection lagging", detail) }
    static let storageUnavailable = APIError(.serviceUnavailable, "STORAGE_UNAVAILABLE", "Storage unavailable",
                                             "the log cannot be written right now (disk full or I/O error); nothing was written")
    static func upstreamUnavailable(_ detail: String) -> APIError { APIError(.badGateway, "UPSTREAM_UNAVAILABLE", "Upstream unavailable", detail) }
    static let internalError = APIError(.internalServerError, "INTERNAL", "Internal error", "an unexpected error occurred; it has been logged")
}
