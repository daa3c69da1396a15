import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Projections

/// One log line and the metrics per request: method, route template, status, duration and
/// request id — never a header, body, token or query string (they may carry secrets or
/// personal data).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorMapping.apiError(for: error, logger: context.logger).makeResponse()
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        // Message and metadata are autoclosures: below the info level, neither the line nor the
        // request id (a search of the response's headers) is worked out.
        context.logger.info("\(request.method.rawValue) \(route) \(response.status.code) \(Self.milliseconds(seconds))ms",
                            metadata: ["request": .string(response.headers.single(.xRequestId) ?? context.id)])
        return response
    }

    /// `seconds` in milliseconds to one decimal (`4.2`): what `String(format: "%.1f")` gives,
    /// without Foundation's formatter (a quarter of a request log line's cost).
    static func milliseconds(_ seconds: Double) -> String {
        let tenths = Int((max(seconds, 0) * 10_000).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
