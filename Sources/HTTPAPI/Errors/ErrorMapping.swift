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

/// The one place where errors become API errors.
enum ErrorMapping {
    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let rejection as Rejection:
            return apiError(for: rejection)
        case let failure as AccountService.Failure:
            switch failure {
            case .unauthorized: return .unauthorized("wrong username or password, or an invalid token")
            }
        case let storeError as EventStoreError:
            switch storeError {
            case .versionConflict(let stream, _, _):
                // Another writer moved the stream between our read and the append: the
                // caller's precondition no longer holds.
                return .versionConflict("\(stream) changed concurrently; retry")
            case .idempotencyKeyReused: return .idempotencyKeyReused
            case .storageUnavailable(let reason):
                logger.critical("the log cannot be written: \(reason)")
                return .storageUnavailable
            case .closed:
                return .storageUnavailable
            default:
                logger.error("event store error: \(storeError)")
                return .internalError
            }
        case is NIOTooManyBytesError:
            return .payloadTooLarge
        case let httpError as HTTPError:
            switch httpError.status {
            case .notFound: return .notFound("no such route")
            case .contentTooLarge: return .payloadTooLarge
            case .badRequest: return .badRequest(httpError.body ?? "malformed request")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed", "wrong method for this route")
            default:
                return APIError(httpError.status, httpError.status.code >= 500 ? "INTERNAL" : "BAD_REQUEST", httpError.status.reasonPhrase,
                                httpError.body ?? httpError.status.reasonPhrase)
            }
        case let vault as PersonalDataVault.Failure:
            logger.error("personal-data vault: \(vault)")
            return .internalError
        default:
            logger.error("unexpected error: \(String(describing: type(of: error)))")
            return .internalError
        }
    }

    static func apiError(for rejection: Rejection) -> APIError {
        switch rejection {
        case .notFound(let resource, let id): .notFound(id.isEmpty ? "no such \(resource)" : "no \(resource) \(id)")
        case .alreadyExists(let what, let id): .alreadyExists(id.isEmpty ? "that \(what) is taken" : "\(what) \(id) is taken")
        case .outOfStock(let skuIds, let detail): .outOfStock(skuIds, detail)
        case .notOrderable(let skuIds): .notOrderable(skuIds)
        case .purchaseLimitExceeded(let skuIds, let detail): .purchaseLimitExceeded(skuIds, detail)
        case .invalidState(let detail): .invalidState(detail)
        case .validationFailed(let errors): .validationFailed(errors.map { ($0.field, $0.message) })
        case .emptyCart: .emptyCart
        case .amountMismatch(let expected, let received): .amountMismatch(expected: expected, received: received)
        case .versionMismatch(let expected, let actual): .versionConflict("If-Match expected version \(expected); the current version is \(actual)")
        }
    }
}

/// Outermost middleware: whatever a handler throws leaves as problem+json; nothing escapes
/// as a bare 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorMapping.apiError(for: error, logger: context.logger).makeResponse()
        }
    }
}
