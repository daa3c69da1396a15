import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Hummingbird answers 404 for a known path with an unknown method; the API answers 405 with
/// `Allow`. Also turns any other error that escaped a route into problem+json.
struct NotFoundMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let table: RouteTable

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            let allowed = table.methods(matching: request.uri.path)
            if !allowed.isEmpty { return APIError.methodNotAllowed(allowed: allowed).makeResponse() }
            return APIError.notFound("no route \(request.method.rawValue) \(request.uri.path)").makeResponse()
        } catch {
            return ErrorMapping.apiError(for: error, logger: context.logger).makeResponse()
        }
    }
}
