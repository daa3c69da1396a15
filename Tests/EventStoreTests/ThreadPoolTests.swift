import EventStore
import Testing

/// The dedicated threads for blocking work (password hashing, the read-model writer).
@Suite struct ThreadPoolTests {
    @Test func workRunsInOrderAndErrorsComeBack() async throws {
        let pool = ThreadPool(threads: 1, name: "t-order")
        defer { pool.shutdown() }
        var seen: [Int] = []
        for i in 0..<20 { seen.append(await pool.run { i }) }
        #expect(seen == Array(0..<20))
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await pool.run { () throws -> Int in throw Failure() } }
    }
}
