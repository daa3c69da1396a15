import CanonicalJSON
import EventStore
import Foundation
import LMDB
import TestSupport
import Testing

@Suite struct IntegrityTests {
    /// Writes a small log with several streams and returns its directory.
    func makeLog(events: Int = 50) async throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        for i in 0..<events {
            _ = try await appendOne(store, stream: "s-\(i % 5)", data: ["i": .int(Int64(i)), "text": "价格 \"quoted\"\n"])
        }
        store.close()
        return dir
    }

    /// Changes stored bytes with the LMDB C API directly, as an attacker with disk access would.
    func tamper(_ dir: String, _ body: (Transaction, Database, Database) throws -> Void) throws {
        let environment = try Environment(path: dir)
        defer { environment.close() }
        let log = try #require(try environment.openDatabase("log", create: false))
        let streams = try #require(try environment.openDatabase("streams", create: false))
        try environment.write { txn in try body(txn, log, streams) }
    }

    @Test func verifyPassesOnACleanLog() async throws {
        let dir = try await makeLog()
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        let head = try store.readAll(from: 50, limit: 1)[0].hash
        #expect(try store.verify() == .verified(events: 50, head: head))
    }

    @Test func aFlippedByteNamesItsPosition() async throws {
        let dir = try await makeLog()
        try tamper(dir.path) { txn, log, _ in
            var bytes = try #require(try txn.getBytes(log, BigEndian.bytes(23)))
            let index = try #require(bytes.firstIndex(of: UInt8(ascii: "2")))  // a digit inside data
            bytes[index] = UInt8(ascii: "3")
            try txn.put(log, BigEndian.bytes(23), bytes)
        }
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        guard case .failed(let position, let reason) = try store.verify() else {
            Issue.record("tampering went unnoticed")
            return
        }
        #expect(position == 23)
        #expect(reason.contains("hash"))
    }

    /// Reading records in place (what a rebuild does) does not guess at a damaged header: a
    /// commit time that is not one stops the read at its position.
    @Test func aRecordViewRefusesADamagedTime() async throws {
        let dir = try await makeLog()
        try tamper(dir.path) { txn, log, _ in
            var bytes = try #require(try txn.getBytes(log, BigEndian.bytes(7)))
            let at = Array(#""at":""#.utf8)
            let start = try #require((0...(bytes.count - at.count)).first { Array(bytes[$0..<($0 + at.count)]) == at })
            bytes[start + at.count + 4] = UInt8(ascii: "x")  // 2026-… becomes 2026x…
            try txn.put(log, BigEndian.bytes(7), bytes)
        }
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        var read: [UInt64] = []
        #expect(throws: EventStoreError.corruptRecord(position: 7, reason: "missing or mistyped members")) {
            try store.forEachRecordView { read.append($0.position) }
        }
        #expect(read == Array(1...6))
    }

    @Test func aRemovedRecordIsAGap() async throws {
        let dir = try await makeLog()
        try tamper(dir.path) { txn, log, _ in try txn.delete(log, BigEndian.bytes(10)) }
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        #expect(try store.verify() == .failed(position: 10, reason: "position 10 is missing (next stored is 11)"))
    }

    @Test func aDamagedStreamIndexIsCaught() async throws {
        let dir = try await makeLog()
        try tamper(dir.path) { txn, _, streams in
            var key = Array("s-2".utf8)
            key.append(0)
            BigEndian.append(3, to: &key)
            try txn.delete(streams, key)
        }
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        guard case .failed(let position, let reason) = try store.verify() else {
            Issue.record("a missing index entry went unnoticed")
            return
        }
        #expect(position == 13)  // s-2 v3 is i = 12, position 13
        #expect(reason.contains("stream index"))
    }

    @Test func theIndependentVerifierAcceptsOurRecordsAndRejectsATamperedOne() async throws {
        let dir = try await makeLog()
        let store = try EventStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        var lines: [[UInt8]] = []
        try store.forEachRawRecord { _, bytes in lines.append(Array(bytes)) }
        let export = Data(lines.flatMap { $0 + [0x0A] })
        let clean = try await runProcess("/usr/bin/env", ["python3", BuildProducts.chainVerifier], input: export)
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
        #expect(clean.stdout.hasPrefix("verified 50 events, head "))

        var tampered = lines
        tampered[30] = Array(String(decoding: tampered[30], as: UTF8.self).replacingOccurrences(of: "价格", with: "价钱").utf8)
        let bad = try await runProcess("/usr/bin/env", ["python3", BuildProducts.chainVerifier], input: Data(tampered.flatMap { $0 + [0x0A] }))
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("position 31"))
    }

    @Test func aChildKilledMidAppendLosesNothingAcknowledged() async throws {
        let dir = TemporaryDirectory()
        for round in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BuildProducts.executable("eventstore-child"))
            // The stream index flushed every 100 entries: kills fall between flushes, and the
            // entries past the last one are read back from the log when the store opens.
            process.arguments = [dir.path, "16", "100"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // Let it run for a while, then kill it without warning at an arbitrary point.
            let wanted = 300 * (round + 1)
            let acknowledged = try await offThePool { [process = Handed(value: process), out = Handed(value: out)] in
                var acknowledged = Data()
                let deadline = Date().addingTimeInterval(10)
                while acknowledged.filter({ $0 == 0x0A }).count < wanted, Date() < deadline {
                    acknowledged.append(out.value.fileHandleForReading.availableData)
                }
                kill(process.value.processIdentifier, SIGKILL)
                process.value.waitUntilExit()
                acknowledged.append(out.value.fileHandleForReading.readDataToEndOfFile())
                return acknowledged
            }
            let acks = String(decoding: acknowledged, as: UTF8.self).split(separator: "\n").compactMap { line -> (String, UInt64, UInt64)? in
                let parts = line.split(separator: " ")
                guard parts.count == 4, parts[0] == "ack", let v = UInt64(parts[2]), let p = UInt64(parts[3]) else { return nil }
                return (String(parts[1]), v, p)
            }
            #expect(acks.count >= 100, "the child made too little progress")

            let store = try EventStore(directory: dir.path)
            guard case .verified = try store.verify() else {
                Issue.record("log does not verify after SIGKILL")
                store.close()
                return
            }
            for (stream, version, position) in acks {
                let recorded = try store.read(stream: stream, from: version, limit: 1).first
                #expect(recorded?.position == position, "acknowledged \(stream) v\(version) lost")
            }
            store.close()
        }
    }
}
