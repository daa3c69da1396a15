import Application
import CanonicalJSON
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Metrics
import Projections
import Prometheus

/// `/health`, `/ready`, `/metrics`: for the operator and the load balancer, never rate limited.
struct OperationsRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        let operational = EndpointSpec(access: .anyone, rateLimited: false)
        router.endpoint(.get, "/health", operational, table: table, services: services) { _ in
            .json(["status": "ok"])
        }
        router.endpoint(.get, "/ready", operational, table: table, services: services) { call in
            guard (try? call.services.store.headPosition) != nil else { throw APIError.storageUnavailable }
            let statuses = try call.services.runner.statuses()
            guard call.services.runner.isReady(maxLag: 1000) else {
                let lagging = statuses.filter { $0.status == .failed || $0.lag > 1000 }.map(\.name)
                throw APIError.projectionLagging("not ready: \(lagging.joined(separator: ", ")) behind or stopped")
            }
            return .json(["status": "ready", "projections": .int(Int64(statuses.count))])
        }
        router.endpoint(.get, "/metrics", operational, table: table, services: services) { call in
            let client = call.client
            if !Services.isLoopback(client) {
                guard let expected = call.services.configuration.metricsToken,
                      let header = call.request.headers[.authorization], let token = Endpoint.bearerToken(header),
                      ConstantTime.equals(token, expected)
                else { throw APIError.unauthorized("metrics are served to loopback clients or with the metrics token") }
            }
            if let load = call.services.store.writerLoad {
                call.services.metrics.sampleWriter(load, rememberedReplies: call.services.store.rememberedReplyCount)
            }
            var buffer: [UInt8] = []
            MetricsRegistry.shared.emit(into: &buffer)
            return Reply(status: .ok, body: .text(buffer, contentType: "text/plain; version=0.0.4; charset=utf-8"))
        }
    }
}
