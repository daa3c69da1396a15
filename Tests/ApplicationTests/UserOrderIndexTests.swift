import Application
import Domain
import EventStore
import TestSupport
import Testing

/// The buyer → orders index is written behind the log (`UserOrderIndex`): purchase limits and
/// erasure must see every order all the same — before a flush, after one, and across restarts
/// that lose what was only in memory.
@Suite struct UserOrderIndexTests {
    static let table = "user-orders"
    static let markerKey: [UInt8] = [0] + Array("indexed-through".utf8)

    static func configuration(flushEvery threshold: Int) -> CommandProcessor.Configuration {
        var configuration = CommandProcessor.Configuration()
        configuration.userOrderFlushThreshold = threshold
        return configuration
    }

    func indexed(_ app: Harness, _ userId: String) throws -> [String] {
        try app.store.sideTableEntries(Self.table, prefix: Array((userId + "/").utf8)).map {
            String(decoding: $0.key.dropFirst(userId.utf8.count + 1), as: UTF8.self)
        }
    }

    func marker(_ app: Harness) throws -> UInt64? {
        try app.store.sideTableValue(Self.table, key: Self.markerKey).map { $0.reduce(0) { $0 << 8 | UInt64($1) } }  // big-endian
    }

    @Test func aLimitCountsOrdersThatWereOnlyInMemoryWhenTheServerStopped() async throws {
        let dir = TemporaryDirectory()
        let first: String
        do {
            let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 1000))
            try await app.seedProduct(stock: 50, limit: 3)
            first = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)]).order.orderId
            // Written behind: the marker is in the table, the entry is not yet.
            #expect(try indexed(app, "U1").isEmpty)
            #expect(try marker(app) != nil)
            app.close()
        }
        let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 1000))
        defer { app.close() }
        // The restarted writer finds the order after the marker in the log.
        await #expect(throws: Rejection.self) { try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)]) }
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)])
        await #expect(throws: Rejection.self) { try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
        _ = try await app.processor.act(on: first, .cancel, userId: "U1", metadata: app.meta("U1"))
        _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)])
    }

    @Test func entriesAreWrittenInBulkUpToTheMarker() async throws {
        let app = try await Harness(configuration: Self.configuration(flushEvery: 3))
        defer { app.close() }
        try await app.seedProduct(stock: 100)
        var placed: [(user: String, order: String)] = []
        for i in 0..<7 {
            let user = "U\(i % 2)"
            placed.append((user, try await app.place(userId: user, lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId))
        }
        // Orders 1–3 flushed with the 4th, 4–6 with the 7th; the 7th waits in memory.
        let inTable = Set(try indexed(app, "U0") + indexed(app, "U1"))
        #expect(inTable == Set(placed[..<6].map(\.order)))
        let marker = try #require(try marker(app))
        let seventh = try #require(app.store.read(stream: StreamId.order(placed[6].order)).first)
        let sixth = try #require(app.store.read(stream: StreamId.order(placed[5].order)).first)
        #expect(marker >= sixth.position && marker < seventh.position)
    }

    @Test func erasureFindsFlushedAndWaitingOrdersAcrossARestart() async throws {
        let dir = TemporaryDirectory()
        let userId: String
        var orders: [String] = []
        do {
            let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 2))
            try await app.seedProduct(stock: 10)
            userId = try await app.accounts.register(username: "erin", password: "password1", metadata: app.meta()).userId
            for _ in 0..<5 { orders.append(try await app.place(userId: userId, lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId) }
            #expect(try indexed(app, userId).count < orders.count)
            app.close()
        }
        let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 2))
        defer { app.close() }
        _ = try await app.accounts.erase(userId: userId, password: "password1", metadata: app.meta())
        for id in orders { #expect(try app.order(id).status == .cancelled) }
        #expect(try app.sku("S1").available == 10)
    }

    @Test func aTableWithoutMarkerIsTakenAsComplete() async throws {
        // Builds before the write-behind index wrote each entry with its order and no marker.
        let dir = TemporaryDirectory()
        do {
            let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 1))
            try await app.seedProduct(stock: 50, limit: 2)
            for _ in 0..<2 { _ = try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
            _ = try await app.place(userId: "U2", lines: [RequestedLine(skuId: "S1", quantity: 1)])
            #expect(try indexed(app, "U1").count == 2)
            let table = Self.table
            let key = Self.markerKey
            _ = try await app.store.submit { _ in
                Decision(plan: WritePlan(sideTableWrites: [SideTableWrite(table: table, key: key, operation: .delete)]), staged: { _ in })
            }
            app.close()
        }
        let app = try await Harness(dir: dir, configuration: Self.configuration(flushEvery: 1))
        defer { app.close() }
        await #expect(throws: Rejection.self) { try await app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 1)]) }
        _ = try await app.place(userId: "U3", lines: [RequestedLine(skuId: "S1", quantity: 1)])
        #expect(try marker(app) != nil)
    }
}
