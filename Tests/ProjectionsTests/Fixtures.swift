import Application
import Domain
import EventStore
import Foundation
import Projections
import TestSupport

/// A harness with projections running over it.
final class World: @unchecked Sendable {
    let app: Harness
    let runner: ProjectionRunner
    let task: Task<Void, any Error>

    init(app: Harness? = nil, batchSize: Int = 2000) async throws {
        let harness = if let app { app } else { try await Harness() }
        self.app = harness
        runner = try harness.makeRunner(batchSize: batchSize)
        let runner = self.runner
        task = Task { try await runner.run() }
    }

    /// Waits until every projection has applied the log's head.
    func settle() async throws {
        let head = try app.store.headPosition
        guard await runner.waitUntil(position: head, timeout: .seconds(10)) else { throw WorldError.lagging(head) }
    }

    func close() async {
        task.cancel()
        _ = try? await task.value
        runner.readModels.close()
        app.close()
    }

    var catalog: CatalogQueries { CatalogQueries(readModels: runner.readModels) }
    var orders: OrderQueries { OrderQueries(readModels: runner.readModels) }
    var carts: CartQueries { CartQueries(readModels: runner.readModels) }
    var sales: SalesQueries { SalesQueries(readModels: runner.readModels) }
    var support: SupportQueries { SupportQueries(readModels: runner.readModels) }

    @discardableResult
    func product(_ id: String, title: String, category: String = "手机", tags: [String] = [], description: String = "",
                 skus: [(String, Int64)], stock: Int64 = 10) async throws -> ProductSnapshot {
        let created = try await app.processor.createProduct(Product.Create(
            productId: id, title: title, description: description, category: category, tags: tags, imageUrls: ["https://img/\(id).jpg"],
            skus: skus.map { Sku.Definition(skuId: $0.0, specs: [SpecEntry(name: "颜色", value: "黑")], priceCents: $0.1, limitPerUser: nil) },
            now: app.clock.now()), metadata: app.meta("admin"))
        for (sku, _) in skus where stock > 0 { _ = try await app.processor.changeSku(skuId: sku, .restock(stock), metadata: app.meta("admin")) }
        guard let snapshot = created.value else { throw HarnessError.replayed }
        return snapshot
    }
}

enum WorldError: Error { case lagging(UInt64) }

func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(bytes))
}
