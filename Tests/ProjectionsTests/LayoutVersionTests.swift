import Domain
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// A read model written by a build whose projection stored other bytes must not be read as if
/// it were current: on start it is emptied and rebuilt from the log; other projections keep
/// their read models and checkpoints; read-only openers refuse it with what to do.
@Suite struct LayoutVersionTests {
    /// The same projection, declaring another layout.
    struct Relayout: Projection {
        let base: any Projection
        let layoutVersion: UInt64
        var name: String { base.name }
        var databases: [String] { base.databases }
        func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws { try base.apply(event, context) }
        func finishBatch(_ context: ProjectionContext) throws { try base.finishBatch(context) }
    }

    static func projections(ordersAt layout: UInt64) -> [any Projection] {
        AllProjections.make().map { $0.name == "orders" ? Relayout(base: $0, layoutVersion: layout) : $0 }
    }

    @Test func aReadModelAtAnotherLayoutIsRebuiltAndTheOthersAreKept() async throws {
        let dir = TemporaryDirectory()
        var digests: [String: String] = [:]
        let head: UInt64
        do {
            let world = try await World(app: try await Harness(dir: dir))
            try await world.product("P1", title: "手机", skus: [("S1", 100)], stock: 1000)
            for i in 0..<20 { _ = try await world.app.place(userId: "U\(i % 3)", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
            try await world.settle()
            head = try world.app.store.headPosition
            for p in AllProjections.make() { digests[p.name] = try world.runner.readModels.digest(p.name) }
            await world.close()
        }
        // Layout 1 (every projection's first) is what an earlier build wrote.
        do {
            let readOnly = try ReadModelStore(directory: dir.path + "/readmodels", readOnly: true)
            #expect(throws: ProjectionError.self) { try readOnly.registerExisting(Relayout(base: OrdersProjection(), layoutVersion: 2)) }
            try readOnly.registerExisting(OrdersProjection())
            #expect(try readOnly.checkpoint("orders") == head)
            readOnly.close()
        }

        let app = try await Harness(dir: dir)
        let readModels = try ReadModelStore(directory: dir.path + "/readmodels")
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: Self.projections(ordersAt: 2))
        // Emptied before the runner starts; the catalog keeps what it had.
        #expect(try readModels.checkpoint("orders") == 0)
        #expect(try OrderQueries(readModels: readModels).list(userId: "U0", status: nil, page: 1, pageSize: 10).total == 0)
        #expect(try readModels.checkpoint("catalog") == head)
        #expect(try readModels.digest("catalog") == digests["catalog"])
        let task = Task { try await runner.run() }
        #expect(await runner.waitUntil(position: head, timeout: .seconds(10)))
        for p in AllProjections.make() { #expect(try readModels.digest(p.name) == digests[p.name], "\(p.name)") }
        task.cancel()
        _ = try? await task.value
        readModels.close()

        // Recorded: the next start at layout 2 keeps it; a read-only opener at layout 1 refuses it.
        let again = try ReadModelStore(directory: dir.path + "/readmodels")
        _ = try ProjectionRunner(store: app.store, readModels: again, projections: Self.projections(ordersAt: 2))
        #expect(try again.checkpoint("orders") == head)
        again.close()
        let readOnly = try ReadModelStore(directory: dir.path + "/readmodels", readOnly: true)
        #expect(throws: ProjectionError.self) { try readOnly.registerExisting(OrdersProjection()) }
        readOnly.close()
        app.close()
    }
}
