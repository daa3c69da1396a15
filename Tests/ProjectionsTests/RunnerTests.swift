import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import LMDB
import Projections
import TestSupport
import Testing

@Suite struct RunnerTests {
    /// Drives a little of everything through the command side.
    func populate(_ world: World, orders: Int = 30) async throws {
        try await world.product("P1", title: "华为智能手机 Pro", skus: [("S1", 100), ("S2", 250)], stock: 500)
        try await world.product("P2", title: "耳机", category: "耳机", skus: [("S3", 50)], stock: 500)
        for i in 0..<orders {
            let order = try await world.app.place(userId: "U\(i % 4)", lines: [RequestedLine(skuId: ["S1", "S2", "S3"][i % 3], quantity: 1 + i % 2)]).order
            if i % 3 == 0 { _ = try await world.app.processor.act(on: order.orderId, .cancel, userId: nil, metadata: world.app.meta()) }
        }
        _ = try await world.app.processor.changeCart(userId: "U1", .add(skuId: "S2", quantity: 2), metadata: world.app.meta())
    }

    @Test func aRebuildEqualsTheIncrementalReadModels() async throws {
        let world = try await World(batchSize: 7)
        try await populate(world)
        try await world.settle()
        let projections = AllProjections.make()
        var incremental: [String: String] = [:]
        for p in projections { incremental[p.name] = try world.runner.readModels.digest(p.name) }

        // Offline: from position 0 into a fresh directory, in other batch sizes.
        let scratch = TemporaryDirectory("rebuild")
        let fresh = try ReadModelStore(directory: scratch.path)
        let offline = try ProjectionRunner(store: world.app.store, readModels: fresh, projections: projections, batchSize: 1000)
        let task = Task { try await offline.run() }
        _ = await offline.waitUntil(position: try world.app.store.headPosition, timeout: .seconds(10))
        task.cancel()
        _ = try? await task.value
        for p in projections { #expect(try fresh.digest(p.name) == incremental[p.name], "\(p.name) differs after an offline rebuild") }
        fresh.close()

        // Online: beside the live generation, then switched; answers the same.
        try await world.runner.rebuild("orders", chunk: 5)
        try await world.runner.rebuild("catalog", chunk: 11)
        #expect(try world.runner.readModels.digest("orders") == incremental["orders"])
        #expect(try world.runner.readModels.digest("catalog") == incremental["catalog"])
        #expect(try world.runner.readModels.handles("orders").generation == 1)
        // And it keeps following the log after the switch.
        _ = try await world.app.place(userId: "U9", lines: [RequestedLine(skuId: "S1", quantity: 1)])
        try await world.settle()
        #expect(try world.orders.list(userId: "U9", status: nil, page: 1, pageSize: 5).total == 1)
        await world.close()
    }

    /// Lists are maintained per batch from each order's first and last state: one batch that
    /// holds an order's whole life and its buyer's erasure must end where one event at a time
    /// does.
    @Test func oneBigBatchEqualsOneEventAtATime() async throws {
        let world = try await World(batchSize: 1)
        let app = world.app
        try await populate(world, orders: 12)
        let session = try await app.accounts.register(username: "grace", password: "password1", metadata: app.meta())
        let paid = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId
        _ = try await app.processor.act(on: paid, .cancel, userId: session.userId, metadata: app.meta(session.userId))
        let open = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S2", quantity: 2)]).order.orderId
        // Changes no summary: one event at a time, it must leave the lists as they were.
        _ = try await app.processor.act(on: open, .requestPayment(paymentId: "PAY-open", nonceStr: "n"), userId: session.userId,
                                        metadata: app.meta(session.userId))
        _ = try await app.accounts.erase(userId: session.userId, password: "password1", metadata: app.meta())
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S3", quantity: 1)])
        try await world.settle()
        let projections = AllProjections.make()

        let scratch = TemporaryDirectory("one-batch")
        let fresh = try ReadModelStore(directory: scratch.path)
        try Rebuilder.build(projections, into: fresh, from: app.store, chunk: 100_000)
        for p in projections {
            #expect(try fresh.digest(p.name) == (try world.runner.readModels.digest(p.name)), "\(p.name) differs when built in one batch")
        }
        let erased = try #require(try OrderQueries(readModels: fresh).order(open).value)
        #expect(erased.erased && erased.order.address == Sealed.scrubbed)
        #expect(try OrderQueries(readModels: fresh).list(userId: session.userId, status: nil, page: 1, pageSize: 10).total == 2)
        fresh.close()
        await world.close()
    }

    @Test func waitUntilWakesPromptlyAndTimesOut() async throws {
        let world = try await World()
        try await world.settle()
        let head = try world.app.store.headPosition
        let started = ContinuousClock.now
        #expect(await !world.runner.waitUntil(position: head + 1, timeout: .milliseconds(200)))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        // Woken, not timed out: a waiter that only rechecked at its deadline would take the whole
        // 30 s. The bound is loose because the suites run in parallel on two cores, where applying
        // one batch once took 2.2 s.
        let waiter = Task { await world.runner.waitUntil(position: head + 2, timeout: .seconds(30)) }
        try await world.product("P1", title: "手机", skus: [("S1", 1)], stock: 1)
        let woke = ContinuousClock.now
        #expect(await waiter.value)
        #expect(ContinuousClock.now - woke < .seconds(10))
        await world.close()
    }

    @Test func statusesReportPositionAndLag() async throws {
        let world = try await World()
        try await world.product("P1", title: "手机", skus: [("S1", 1)])
        try await world.settle()
        let statuses = try world.runner.statuses()
        #expect(statuses.map(\.name) == AllProjections.make().map(\.name))
        #expect(statuses.allSatisfy { $0.status == .running && $0.lag == 0 && $0.position == (try? world.app.store.headPosition) })
        #expect(world.runner.isReady())
        await world.close()
    }

    struct Exploding: Projection {
        let name = "exploding"
        let databases = ["things"]
        func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws {
            try context.put("things", Array(String(event.position).utf8), [1])
            if case .sku(.restocked) = event.event { throw ProjectionError.unexpected("cannot handle restocks") }
        }
    }

    @Test func aThrowingProjectionStopsAtItsEventWhileOthersGoOn() async throws {
        let app = try await Harness()
        let readModels = try ReadModelStore(directory: app.dir.path + "/readmodels")
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: [CatalogProjection(), Exploding()], batchSize: 100)
        let task = Task { try await runner.run() }
        try await app.seedProduct(stock: 5)  // ProductCreated, SkuCreated, then StockRestocked at position 3
        #expect(await runner.waitUntil(position: 3, projection: "catalog", timeout: .seconds(5)))
        let statuses = try runner.statuses()
        let exploding = try #require(statuses.first { $0.name == "exploding" })
        #expect(exploding.status == .failed)
        #expect(exploding.position < 3)  // stopped before the event it cannot apply (its batch is not committed for it)
        #expect(exploding.error?.contains("position 3") == true)
        #expect(statuses.first { $0.name == "catalog" }?.position == 3)
        #expect(!runner.isReady())
        task.cancel()
        _ = try? await task.value
        readModels.close()
        app.close()
    }

    /// Fails when it finishes a batch that holds a restock, after applying its events fine.
    struct ExplodingAtTheEnd: Projection {
        let name = "exploding-at-the-end"
        let databases = ["things"]
        func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws {
            if case .sku(.restocked) = event.event { try context.setDocument(true, "things", "restocked") }
        }
        func finishBatch(_ context: ProjectionContext) throws {
            if try context.document(Bool.self, "things", "restocked") == true { throw ProjectionError.unexpected("cannot finish restocks") }
        }
    }

    @Test func aProjectionFailingToFinishItsBatchStopsWhileOthersGoOn() async throws {
        let app = try await Harness()
        let readModels = try ReadModelStore(directory: app.dir.path + "/readmodels")
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: [CatalogProjection(), ExplodingAtTheEnd()], batchSize: 100)
        let task = Task { try await runner.run() }
        try await app.seedProduct(stock: 5)
        #expect(await runner.waitUntil(position: 3, projection: "catalog", timeout: .seconds(5)))
        let statuses = try runner.statuses()
        let failed = try #require(statuses.first { $0.name == "exploding-at-the-end" })
        #expect(failed.status == .failed)
        #expect(failed.position < 3)
        #expect(failed.error?.contains("cannot finish restocks") == true)
        #expect(statuses.first { $0.name == "catalog" }?.position == 3)
        task.cancel()
        // The runner itself kept running: cancelling it ends it without an error.
        #expect(await (try? task.value) != nil)
        readModels.close()
        app.close()
    }

    /// Appends a `ProductCreated` whose data no reader accepts.
    static func appendUndecodable(to store: EventStore) async throws {
        _ = try await store.append([StreamAppend(streamId: "product-P9", expectedVersion: .any, events: [
            try ProposedEvent(type: "ProductCreated", data: ["garbage": true]),
        ])])
    }

    /// The runner's statuses once `done` holds for them, or as they are after 5 s.
    static func statuses(of runner: ProjectionRunner, once done: ([ProjectionStatus]) -> Bool) async throws -> [ProjectionStatus] {
        let deadline = ContinuousClock.now + .seconds(5)
        var statuses = try runner.statuses()
        while !done(statuses), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            statuses = try runner.statuses()
        }
        return statuses
    }

    /// Read back from the log (a fresh store: nothing in its commit feed), an event no projection
    /// can decode stops them all just before it, with the reason; the runner itself goes on.
    @Test func anUndecodableEventReadFromTheLogStopsTheProjectionsThere() async throws {
        let dir = TemporaryDirectory()
        do {
            let writer = try await Harness(dir: dir)
            try await writer.seedProduct(stock: 5)  // positions 1–3
            try await Self.appendUndecodable(to: writer.store)
            writer.close()
        }
        let app = try await Harness(dir: dir)
        let readModels = try ReadModelStore(directory: dir.path + "/readmodels")
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: [CatalogProjection()], batchSize: 100)
        let task = Task { try await runner.run() }
        #expect(await runner.waitUntil(position: 3, projection: "catalog", timeout: .seconds(5)))
        let statuses = try await Self.statuses(of: runner) { $0.allSatisfy { $0.status == .failed } }
        let catalog = try #require(statuses.first { $0.name == "catalog" })
        #expect(catalog.status == .failed)
        #expect(catalog.position == 3)
        #expect(catalog.error?.contains("undecodable ProductCreated event") == true, "\(catalog.error ?? "")")
        task.cancel()
        #expect(await (try? task.value) != nil)
        readModels.close()
        app.close()
    }

    /// Behind the log, the runner reads and decodes the next batch while the read models apply
    /// one. It must end where one event at a time does, and an undecodable event in a batch it
    /// read ahead must still stop every projection right before it.
    @Test func catchingUpReadsAheadAndStillStopsAtAnUndecodableEvent() async throws {
        let dir = TemporaryDirectory()
        let head: UInt64
        var oneAtATime: [String: String] = [:]
        do {
            let world = try await World(app: try await Harness(dir: dir), batchSize: 1)
            try await populate(world)
            try await world.settle()
            for p in AllProjections.make() { oneAtATime[p.name] = try world.runner.readModels.digest(p.name) }
            head = try world.app.store.headPosition
            try await Self.appendUndecodable(to: world.app.store)
            await world.close()
        }
        // A reopened store has nothing in its commit feed: every batch comes from the log,
        // 10 × 4 events at a time, so each is full and the next is read ahead.
        let app = try await Harness(dir: dir)
        let scratch = TemporaryDirectory("ahead")
        let readModels = try ReadModelStore(directory: scratch.path)
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: AllProjections.make(), batchSize: 4)
        #expect(head > 80, "the log should span several batches")
        let task = Task { try await runner.run() }
        #expect(await runner.waitUntil(position: head, timeout: .seconds(10)))
        for status in try await Self.statuses(of: runner, once: { $0.allSatisfy { $0.status == .failed } }) {
            #expect(status.status == .failed && status.position == head, "\(status.name): \(status.status) at \(status.position)")
            #expect(status.error?.contains("undecodable ProductCreated event") == true, "\(status.error ?? "")")
            #expect(try readModels.digest(status.name) == oneAtATime[status.name], "\(status.name) differs after reading ahead")
        }
        task.cancel()
        #expect(await (try? task.value) != nil)
        readModels.close()
        app.close()
    }

    /// Counts every event in one document, folded in place and carried from batch to batch.
    struct Tally: Projection {
        let name = "tally"
        let databases = ["counts"]
        func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws {
            try context.upsert(Int.self, "counts", "events", initial: { 0 }) { $0 += 1 }
        }
    }

    /// Fails on a restock of seven units, and only there.
    struct ExplodingOnSeven: Projection {
        let name = "exploding-on-seven"
        let databases = ["things"]
        func apply(_ event: ProjectedEvent, _ context: ProjectionContext) throws {
            if case .sku(.restocked(let restock)) = event.event, restock.quantity == 7 { throw ProjectionError.unexpected("seven") }
        }
    }

    /// A document carried into a batch that then fails was changed in memory by the failed
    /// attempt; the retry must start from what LMDB holds, or the tally counts the batch twice.
    @Test func aFailedBatchLeavesNoCarriedDocumentBehind() async throws {
        let app = try await Harness()
        let readModels = try ReadModelStore(directory: app.dir.path + "/readmodels")
        let runner = try ProjectionRunner(store: app.store, readModels: readModels, projections: [Tally(), ExplodingOnSeven()], batchSize: 100)
        let task = Task { try await runner.run() }
        try await app.seedProduct(stock: 5)  // positions 1–3: the tally document is created
        #expect(await runner.waitUntil(position: 3, projection: "tally", timeout: .seconds(5)))
        _ = try await app.processor.changeSku(skuId: "S1", .restock(1), metadata: app.meta("admin"))  // 4: read back from LMDB, then carried
        #expect(await runner.waitUntil(position: 4, projection: "tally", timeout: .seconds(5)))
        _ = try await app.processor.changeSku(skuId: "S1", .restock(7), metadata: app.meta("admin"))  // 5: the batch fails, then is retried
        #expect(await runner.waitUntil(position: 5, projection: "tally", timeout: .seconds(5)))
        _ = try await app.processor.changeSku(skuId: "S1", .restock(2), metadata: app.meta("admin"))  // 6: from the retry's carry
        #expect(await runner.waitUntil(position: 6, projection: "tally", timeout: .seconds(5)))

        let statuses = try runner.statuses()
        #expect(statuses.first { $0.name == "exploding-on-seven" }?.status == .failed)
        let counts = try #require(try readModels.handles("tally").databases["counts"])
        let stored = try readModels.read { txn in try txn.getBytes(counts, Array("events".utf8)) }
        #expect(stored.map { String(decoding: $0, as: UTF8.self) } == "6")
        task.cancel()
        _ = try? await task.value
        readModels.close()
        app.close()
    }
}

@Suite struct CrashResumeTests {
    @Test func aRunnerKilledBetweenBatchesResumesWithoutApplyingTwice() async throws {
        let dir = TemporaryDirectory()
        do {
            let world = try await World(app: try await Harness(dir: dir))
            try await world.product("P1", title: "手机", skus: [("S1", 100), ("S2", 7)], stock: 100_000)
            for i in 0..<400 {
                let order = try await world.app.place(userId: "U\(i % 9)", lines: [RequestedLine(skuId: i % 2 == 0 ? "S1" : "S2", quantity: 1)]).order
                if i % 4 == 0 { _ = try await world.app.processor.act(on: order.orderId, .cancel, userId: nil, metadata: world.app.meta()) }
            }
            await world.close()
            try FileManager.default.removeItem(atPath: dir.path + "/readmodels")
        }
        // Kill the child at a few points, each once it has applied more of the log.
        for threshold in [150, 400, 650] as [UInt64] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BuildProducts.executable("projections-child"))
            process.arguments = [dir.path, "3"]
            process.standardOutput = Pipe()
            try process.run()
            let deadline = ContinuousClock.now + .seconds(20)
            while try ordersCheckpoint(dir.path) < threshold, ContinuousClock.now < deadline { try await Task.sleep(for: .microseconds(200)) }
            kill(process.processIdentifier, SIGKILL)
            _ = await process.exitStatus()
        }
        let app = try await Harness(dir: dir)
        let head = try app.store.headPosition
        let resumed = try app.makeRunner()
        let partial = try resumed.readModels.checkpoint("orders")
        #expect(partial < head, "the child should have been killed before the end")
        let task = Task { try await resumed.run() }
        #expect(await resumed.waitUntil(position: head, timeout: .seconds(20)))

        let scratch = TemporaryDirectory("clean")
        let clean = try ReadModelStore(directory: scratch.path)
        let rebuilt = try ProjectionRunner(store: app.store, readModels: clean, projections: AllProjections.make())
        let rebuild = Task { try await rebuilt.run() }
        #expect(await rebuilt.waitUntil(position: head, timeout: .seconds(20)))
        for projection in AllProjections.make() {
            #expect(try resumed.readModels.digest(projection.name) == clean.digest(projection.name), "\(projection.name) applied something twice or lost it")
        }
        task.cancel()
        rebuild.cancel()
        _ = try? await task.value
        _ = try? await rebuild.value
        clean.close()
        resumed.readModels.close()
        app.close()
    }
}

/// The orders projection's checkpoint, read straight from another process's read models.
func ordersCheckpoint(_ dataDirectory: String) throws -> UInt64 {
    guard FileManager.default.fileExists(atPath: dataDirectory + "/readmodels/data.mdb") else { return 0 }
    let environment = try Environment(path: dataDirectory + "/readmodels", options: .init(readOnly: true))
    defer { environment.close() }
    guard let meta = try environment.openDatabase("meta", create: false) else { return 0 }
    return try environment.read { txn in try txn.get(meta, Array("checkpoint:orders/0".utf8)).flatMap { BigEndian.uint64($0) } ?? 0 }
}
