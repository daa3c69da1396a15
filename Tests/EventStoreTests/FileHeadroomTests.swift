import CanonicalJSON
import EventStore
import Foundation
import LMDB
import TestSupport
import Testing

/// The log file kept zero-filled past its last page (`Environment.Options.headroomBytes`): the
/// zeros go only past what LMDB committed, and nothing committed is ever lost to them.
@Suite struct FileHeadroomTests {
    static let megabyte = 1 << 20

    private func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    /// Waits (up to 10 s) until the filler has zeroed at least `bytes` past the last page.
    private func waitForHeadroom(_ environment: Environment, bytes: Int) async throws -> Bool {
        for _ in 0..<200 {
            if let zeroed = environment.headroomZeroedThrough, zeroed >= environment.usedBytes + bytes { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Every byte of `path` from `offset` to its end.
    private func tail(of path: String, from offset: Int) throws -> Data {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return try handle.readToEnd() ?? Data()
    }

    private func value(_ batch: Int, _ index: Int) -> [UInt8] {
        Array(repeating: UInt8(truncatingIfNeeded: batch &* 31 &+ index), count: 1000) + Array("\(batch)/\(index)".utf8)
    }

    @Test func theFileStaysZeroedAheadAndEveryCommittedValueSurvives() async throws {
        let dir = TemporaryDirectory("headroom")
        let dataFile = dir.path + "/data.mdb"
        let headroom = Self.megabyte
        let environment = try Environment(path: dir.path, options: .init(mapSize: 64 * Self.megabyte, headroomBytes: headroom))
        let db = try #require(try environment.openDatabase("values"))
        // ~4 MB in 40 commits: the last page passes the zeroed end several times while the
        // filler (256 KiB a chunk here) keeps catching up between transactions.
        for batch in 0..<40 {
            try environment.write { txn in
                for index in 0..<100 { try txn.put(db, Array("\(batch)-\(index)".utf8), value(batch, index)) }
            }
        }
        // The filler tops the headroom up whenever less than half of it is left.
        #expect(try await waitForHeadroom(environment, bytes: headroom / 2), "the filler never caught up")
        let used = environment.usedBytes
        #expect(try fileSize(dataFile) >= used + headroom / 2)
        // Past the last committed page there are only zeros.
        let past = try tail(of: dataFile, from: used)
        #expect(past.count >= headroom / 2 && past.allSatisfy { $0 == 0 })
        environment.close()

        let reopened = try Environment(path: dir.path, options: .init(mapSize: 64 * Self.megabyte, readOnly: true))
        let again = try #require(try reopened.openDatabase("values", create: false))
        let mismatched = try reopened.read { txn -> Int in
            var mismatched = 0
            for batch in 0..<40 {
                for index in 0..<100 where try txn.getBytes(again, Array("\(batch)-\(index)".utf8)) != value(batch, index) {
                    mismatched += 1
                }
            }
            return mismatched
        }
        #expect(mismatched == 0)
        reopened.close()
    }

    @Test func noHeadroomWhenOffOrReadOnly() throws {
        let dir = TemporaryDirectory("headroom-off")
        let dataFile = dir.path + "/data.mdb"
        let environment = try Environment(path: dir.path, options: .init(mapSize: 64 * Self.megabyte))
        let db = try #require(try environment.openDatabase("values"))
        try environment.write { txn in
            for index in 0..<500 { try txn.put(db, Array("k\(index)".utf8), value(0, index)) }
        }
        #expect(environment.headroomZeroedThrough == nil)
        #expect(try fileSize(dataFile) <= environment.usedBytes)
        environment.close()
        let size = try fileSize(dataFile)

        let readOnly = try Environment(path: dir.path, options: .init(mapSize: 64 * Self.megabyte, readOnly: true, headroomBytes: Self.megabyte))
        #expect(readOnly.headroomZeroedThrough == nil)
        readOnly.close()
        #expect(try fileSize(dataFile) == size)
    }

    /// The store's writer with a headroom small enough that the filler runs between most of
    /// its commits: every acknowledged append is there, in a chain that verifies, after a reopen.
    @Test func concurrentAppendsWithASmallHeadroomLoseNothing() async throws {
        let dir = TemporaryDirectory("headroom-store")
        var configuration = EventStore.Configuration()
        configuration.logHeadroomBytes = 256 << 10
        let store = try EventStore(directory: dir.path, configuration: configuration)
        let appenders = 64, each = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    for n in 0..<each {
                        _ = try await appendOne(store, stream: "s-\(appender)", data: ["n": .int(Int64(n)), "pad": .string(String(repeating: "x", count: 400))])
                    }
                }
            }
            try await group.waitForAll()
        }
        guard case .verified(let events, _) = try store.verify() else {
            Issue.record("the chain does not verify")
            return
        }
        #expect(events == UInt64(appenders * each))
        store.close()

        let reopened = try EventStore.openReadOnly(directory: dir.path)
        #expect(try reopened.headPosition == UInt64(appenders * each))
        if case .failed(let position, let reason) = try reopened.verify() { Issue.record("verify failed at \(position): \(reason)") }
        for appender in [0, appenders - 1] {
            #expect(try reopened.read(stream: "s-\(appender)", from: 1, limit: 1000).map(\.version) == Array(1...UInt64(each)))
        }
        reopened.close()
    }
}
