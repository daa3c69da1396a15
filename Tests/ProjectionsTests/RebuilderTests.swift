import Application
import Domain
import EventStore
import LMDB
import Projections
import TestSupport
import Testing

/// `Rebuilder`, the offline rebuild of `orderlog-replay rebuild` and the benchmark: a reading
/// thread decodes chunks ahead of the applying one and frees what it hands back. Small chunks
/// make a short log go through every stage of that hand-over many times.
@Suite struct RebuilderTests {
    @Test func aRebuildInManySmallChunksEqualsTheLiveReadModels() async throws {
        let world = try await World(batchSize: 50)
        try await RunnerTests().populate(world, orders: 24)
        try await world.settle()
        let projections = AllProjections.make()
        let head = try world.app.store.headPosition
        #expect(head > 70)  // more than ten chunks of seven

        let scratch = TemporaryDirectory("rebuilder")
        let fresh = try ReadModelStore(directory: scratch.path)
        var reported: [UInt64] = []
        let applied = try Rebuilder.build(projections, into: fresh, from: world.app.store, chunk: 7) { reported.append($0) }
        #expect(applied == head)
        #expect(reported.count == Int((head + 6) / 7) && reported.last == head)
        for p in projections {
            #expect(try fresh.digest(p.name) == (try world.runner.readModels.digest(p.name)), "\(p.name) differs when rebuilt in chunks of 7")
            #expect(try fresh.checkpoint(p.name) == head)
        }
        fresh.close()
        await world.close()
    }

    /// A projection that throws ends the build with its error (no thread left waiting), and the
    /// chunks committed before the failing one stay committed, with their checkpoint.
    @Test func aProjectionThrowingMidRebuildEndsItAndKeepsTheChunksBefore() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)  // positions 1–3
        for _ in 0..<6 { _ = try await app.processor.changeSku(skuId: "S1", .restock(1), metadata: app.meta("admin")) }  // 4–9
        _ = try await app.processor.changeSku(skuId: "S1", .restock(7), metadata: app.meta("admin"))  // 10: the one it cannot apply
        for _ in 0..<5 { _ = try await app.processor.changeSku(skuId: "S1", .restock(1), metadata: app.meta("admin")) }  // 11–15

        let scratch = TemporaryDirectory("rebuilder-failing")
        let fresh = try ReadModelStore(directory: scratch.path)
        #expect(throws: ProjectionError.unexpected("seven")) {
            try Rebuilder.build([RunnerTests.Tally(), RunnerTests.ExplodingOnSeven()], into: fresh, from: app.store, chunk: 3)
        }
        // Chunks of three: 1–3, 4–6 and 7–9 committed; 10–12 failed as a whole.
        #expect(try fresh.checkpoint("tally") == 9)
        #expect(try fresh.checkpoint("exploding-on-seven") == 9)
        let counts = try #require(try fresh.handles("tally").databases["counts"])
        let stored = try fresh.read { txn in try txn.getBytes(counts, Array("events".utf8)) }
        #expect(stored.map { String(decoding: $0, as: UTF8.self) } == "9")
        fresh.close()
    }
}
