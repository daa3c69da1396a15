import EventStore
import Testing

/// The dedicated threads for blocking work (password hashing, the read-model writer).
@Suite struct ThreadPoolTests {
    @Test func backgroundThreadsRunBelowTheDefaultPriority() async {
        let background = ThreadPool(threads: 1, name: "t-background", niceness: 5)
        let plain = ThreadPool(threads: 1, name: "t-plain")
        defer {
            background.shutdown()
            plain.shutdown()
        }
        let backgroundNice = await background.run { currentThreadNiceness() }
        let plainNice = await plain.run { currentThreadNiceness() }
        #expect(backgroundNice == plainNice + 5)
    }

    @Test func loweringAddsToTheNicenessTheThreadAlreadyHas() async {
        // Threads inherit their creator's nice value: a pool created on an already-lowered
        // thread (as under `nice` or systemd's `Nice=`) keeps that offset and adds its own.
        let plain = ThreadPool(threads: 1, name: "t-base")
        defer { plain.shutdown() }
        let base = await plain.run { currentThreadNiceness() }
        let outer = ThreadPool(threads: 1, name: "t-outer", niceness: 3)
        defer { outer.shutdown() }
        let inner = await outer.run { ThreadPool(threads: 1, name: "t-inner", niceness: 4) }
        defer { inner.shutdown() }
        let innerNice = await inner.run { currentThreadNiceness() }
        #expect(innerNice == min(19, base + 7))
    }

    @Test func workRunsInOrderOnOneThreadAndErrorsComeBack() async throws {
        let pool = ThreadPool(threads: 1, name: "t-order")
        defer { pool.shutdown() }
        var seen: [Int] = []
        for i in 0..<20 { seen.append(await pool.run { i }) }
        #expect(seen == Array(0..<20))
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await pool.run { () throws -> Int in throw Failure() } }
    }
}
