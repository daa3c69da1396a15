import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// The log itself, for auditors: the global log, one stream, and the projections' state.
struct AuditRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.get, "/v1/admin/events", EndpointSpec(access: .admin), table: table, services: services) { call in
            let from = try Self.number(call, "from", default: 1)
            let limit = try Self.number(call, "limit", default: 100, range: 1...1000)
            let events = try call.services.store.readAll(from: max(from, 1), limit: Int(limit))
            let next = (events.last?.position).map { $0 + 1 } ?? from
            return .json(["items": .array(events.map(AuditRendering.event)), "next": .int(Int64(next))], readPosition: try call.services.store.headPosition)
        }
        router.endpoint(.get, "/v1/admin/streams/{streamId}", EndpointSpec(access: .admin), table: table, services: services) { call in
            let streamId = call.parameter("streamId")
            let from = try Self.number(call, "from", default: 1)
            let limit = try Self.number(call, "limit", default: 100, range: 1...1000)
            guard streamId.utf8.count <= 255, let head = try call.services.store.head(of: streamId) else { throw APIError.notFound("no stream \(streamId)") }
            let events = try call.services.store.read(stream: streamId, from: max(from, 1), limit: Int(limit))
            return .json(["streamId": .string(streamId), "version": .int(Int64(head.version)), "items": .array(events.map(AuditRendering.event))],
                         readPosition: try call.services.store.headPosition)
        }
        router.endpoint(.get, "/v1/admin/projections", EndpointSpec(access: .admin), table: table, services: services) { call in
            let items: [JSONValue] = try call.services.runner.statuses().map { status in
                var members: [String: JSONValue] = ["name": .string(status.name), "position": .int(Int64(status.position)),
                                                    "lag": .int(Int64(status.lag)), "status": .string(status.status.rawValue)]
                if let error = status.error { members["error"] = .string(error) }
                return .object(members)
            }
            return .json(["items": .array(items)])
        }
    }

    static func number(_ call: Call, _ name: String, default value: UInt64, range: ClosedRange<UInt64> = 0...UInt64(Int64.max)) throws -> UInt64 {
        guard let text = call.query(name) else { return value }
        guard let number = UInt64(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be an integer \(range.lowerBound)–\(range.upperBound)")
        }
        return number
    }
}
