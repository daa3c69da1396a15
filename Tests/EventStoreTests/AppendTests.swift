import CanonicalJSON
import EventStore
import Foundation
import TestSupport
import Testing

@Suite struct AppendTests {
    @Test func positionsAreGaplessAndVersionsContiguous() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        _ = try await appendOne(store, stream: "a-1")
        _ = try await appendOne(store, stream: "b-1")
        let outcome = try await store.append([
            StreamAppend(streamId: "a-1", expectedVersion: .exact(1), events: [try event(), try event()]),
            StreamAppend(streamId: "c-1", expectedVersion: .noStream, events: [try event()]),
        ])
        guard case .completed(let result, let position) = outcome else { throw Unexpected.replayed }
        #expect(result.firstPosition == 3)
        #expect(position == 5)
        #expect(result.versions == ["a-1": 3, "c-1": 1])
        let all = try store.readAll(from: 1, limit: 100)
        #expect(all.map(\.position) == [1, 2, 3, 4, 5])
        #expect(all.map(\.streamId) == ["a-1", "b-1", "a-1", "a-1", "c-1"])
        #expect(try store.read(stream: "a-1").map(\.version) == [1, 2, 3])
        #expect(try store.head(of: "a-1") == StreamHead(version: 3, position: 4))
        #expect(try store.headPosition == 5)
        #expect(try store.version(of: "missing") == nil)
    }

    @Test func recordsCarryTheEventRecordShape() async throws {
        let dir = TemporaryDirectory()
        var configuration = EventStore.Configuration()
        configuration.clock = fixedClock
        let store = try EventStore(directory: dir.path, configuration: configuration)
        defer { store.close() }
        _ = try await appendOne(store, stream: "order-1", data: ["title": "华为智能手机 Pro", "qty": 2])
        let recorded = try #require(try store.readAll().first)
        #expect(recorded.at == "2026-11-25T08:00:00.000Z")
        #expect(recorded.prevHash == String(repeating: "0", count: 64))
        #expect(recorded.hash.count == 64)
        #expect(recorded.data == ["title": "华为智能手机 Pro", "qty": 2])
        #expect(recorded.metadata == EventMetadata(commandId: "c", correlationId: "r", causationId: nil, actor: "tester"))
        var raw: [UInt8] = []
        try store.forEachRawRecord { _, bytes in raw = Array(bytes) }
        // Stored exactly in canonical form: parsing and re-serializing gives the same bytes.
        #expect(try CanonicalJSON.serialize(try JSONParser.parse(raw)) == raw)
        #expect(try JSONParser.parse(raw) == recorded.jsonValue)
    }

    /// The writer lays each record into a buffer sized from its parts' worst cases: records
    /// whose every string escapes as much as it can, records larger than any before (the
    /// buffer grows) and small ones after, all stored canonically and chained.
    @Test func recordsOfEveryShapeAreStoredCanonically() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let escaping = String(repeating: "\u{1}\"\\\n", count: 30) + "价格😀"
        let shapes: [(data: JSONValue, metadata: EventMetadata)] = [
            (["n": 1], EventMetadata(commandId: nil, correlationId: nil, causationId: nil, actor: nil)),
            (["text": .string(escaping)], EventMetadata(commandId: escaping, correlationId: escaping, causationId: escaping, actor: escaping)),
            (["big": .string(String(repeating: "价", count: 20_000)), "n": .int(Int64.min)], EventMetadata(commandId: "c", correlationId: nil, causationId: nil, actor: "a")),
            (["n": .int(Int64.max)], EventMetadata(commandId: "", correlationId: "", causationId: "", actor: "")),
        ]
        for (index, shape) in shapes.enumerated() {
            let proposed = try ProposedEvent(type: "Shape", data: shape.data, metadata: shape.metadata)
            _ = try await store.append([StreamAppend(streamId: "shape-\(index)", expectedVersion: .noStream, events: [proposed])])
        }
        let recorded = try store.readAll()
        #expect(recorded.map(\.data) == shapes.map(\.data))
        #expect(recorded.map(\.metadata) == shapes.map(\.metadata))
        var raws: [[UInt8]] = []
        try store.forEachRawRecord { _, bytes in raws.append(Array(bytes)) }
        for raw in raws { #expect(try CanonicalJSON.serialize(try JSONParser.parse(raw)) == raw) }
        #expect(raws.count == 4)
        #expect(try store.verify() == .verified(events: 4, head: try #require(recorded.last).hash))
    }

    /// A command's metadata is written once (`PreparedMetadata`, off the writer) and shared by all
    /// its events: every record carries it exactly as if written field by field — canonical,
    /// escaped, `null` for what is missing — and it reads back as given.
    @Test func preparedMetadataIsWrittenIntoEveryRecordOfTheAppend() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let escaping = "\u{1f}\"\\\t价格😀"
        let shapes = [
            EventMetadata(commandId: escaping, correlationId: "r-1", causationId: nil, actor: escaping),
            EventMetadata(commandId: nil, correlationId: nil, causationId: nil, actor: nil),
            EventMetadata(commandId: "", correlationId: "", causationId: "", actor: "system"),
        ]
        for (index, fields) in shapes.enumerated() {
            let prepared = PreparedMetadata(fields)
            let events = try (0..<3).map { try ProposedEvent(type: "Shared", canonicalData: Array(#"{"n":\#($0)}"#.utf8), metadata: prepared) }
            _ = try await store.append([StreamAppend(streamId: "order-\(index)", expectedVersion: .noStream, events: Array(events[..<2])),
                                        StreamAppend(streamId: "sku-\(index)", expectedVersion: .any, events: [events[2]])])
        }
        let recorded = try store.readAll()
        #expect(recorded.map(\.metadata) == shapes.flatMap { Array(repeating: $0, count: 3) })
        var raws: [[UInt8]] = []
        try store.forEachRawRecord { _, bytes in raws.append(Array(bytes)) }
        #expect(raws.count == 9)
        for raw in raws { #expect(try CanonicalJSON.serialize(try JSONParser.parse(raw)) == raw) }
        #expect(try store.verify() == .verified(events: 9, head: try #require(recorded.last).hash))
    }

    @Test func recordViewsReadTheRecordsInPlace() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        for i in 0..<30 {
            _ = try await appendOne(store, stream: "s-\(i % 4)", data: ["i": .int(Int64(i)), "text": "价格 \"quoted\"\n", "nested": ["a": [1, nil, true]]])
        }
        var viewed: [(position: UInt64, streamId: String, version: UInt64, type: String, at: String, atMillis: Int64, data: JSONValue)] = []
        try store.forEachRecordView(from: 5, limit: 20) {
            viewed.append(($0.position, $0.streamId, $0.version, $0.type, $0.at, $0.atMillis, try $0.data.value()))
        }
        #expect(viewed.map(\.position) == Array(5...24))
        let recorded = try store.readAll(from: 5, limit: 20)
        #expect(viewed.count == recorded.count)
        for (view, record) in zip(viewed, recorded) {
            #expect(view.position == record.position && view.streamId == record.streamId && view.version == record.version)
            #expect(view.type == record.type && view.at == record.at && view.data == record.data)
            #expect(view.atMillis == RFC3339.parse(record.at))
        }
    }

    @Test func aConflictWritesNothingAndNamesTheStream() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        _ = try await appendOne(store, stream: "sku-S1")
        await #expect(throws: EventStoreError.versionConflict(streamId: "sku-S1", expected: .noStream, actual: 1)) {
            try await store.append([
                StreamAppend(streamId: "order-9", expectedVersion: .noStream, events: [try event()]),
                StreamAppend(streamId: "sku-S1", expectedVersion: .noStream, events: [try event()]),
            ])
        }
        await #expect(throws: EventStoreError.versionConflict(streamId: "sku-S1", expected: .exact(5), actual: 1)) {
            try await store.append([StreamAppend(streamId: "sku-S1", expectedVersion: .exact(5), events: [try event()])])
        }
        #expect(try store.headPosition == 1)
        #expect(try store.version(of: "order-9") == nil)
    }

    @Test func rejectsMalformedArguments() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        #expect(throws: EventStoreError.self) { try ProposedEvent(type: "", data: [:]) }
        #expect(throws: EventStoreError.self) { try ProposedEvent(type: "T", data: ["x": .double(0.5)]) }
        #expect(throws: EventStoreError.self) { try ProposedEvent(type: "T", data: [1]) }
        await #expect(throws: EventStoreError.self) {
            try await store.append([StreamAppend(streamId: "bad id", expectedVersion: .any, events: [try event()])])
        }
        await #expect(throws: EventStoreError.self) {
            try await store.append([
                StreamAppend(streamId: "x-1", expectedVersion: .any, events: [try event()]),
                StreamAppend(streamId: "x-1", expectedVersion: .any, events: [try event()]),
            ])
        }
        #expect(try store.headPosition == 0)
    }

    @Test func hundredsOfConcurrentAppendersOnOneStream() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let appenders = 300
        // Every appender reads the version and appends conditionally, retrying on conflict, so
        // each one lands exactly once and conflicts are reported, never silently overwritten.
        let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<appenders {
                group.addTask {
                    var conflicts = 0
                    while true {
                        let version = try store.version(of: "hot-1") ?? 0
                        do {
                            _ = try await appendOne(store, stream: "hot-1", expected: version == 0 ? .noStream : .exact(version), data: ["appender": .int(Int64(i))])
                            return conflicts
                        } catch EventStoreError.versionConflict(let stream, _, _) {
                            #expect(stream == "hot-1")
                            conflicts += 1
                        }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let events = try store.read(stream: "hot-1")
        #expect(events.count == appenders)
        #expect(events.map(\.version) == Array(1...UInt64(appenders)))
        #expect(Set(events.compactMap { $0.data["appender"]?.intValue }).count == appenders)
        #expect(try store.headPosition == UInt64(appenders))
        #expect(conflicts > 0)
    }

    /// The writer puts index entries through cursors kept for the batch (beside a new stream's
    /// head lookup; a second one for streams whose heads were cached); the entries must land
    /// where a fresh cursor would have put them however the streams interleave: new streams
    /// sorting before and after a busy one, in batches of many callers, over enough entries
    /// that the index's pages split.
    @Test func newAndBusyStreamsInterleavedInBatchesKeepTheIndexWhole() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        let callers = 64, rounds = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    for round in 0..<rounds {
                        let fresh = (caller + round).isMultiple(of: 2) ? "a-\(caller)-\(round)" : "z-\(caller)-\(round)"
                        _ = try await store.append([
                            StreamAppend(streamId: fresh, expectedVersion: .noStream, events: [try event(), try event()]),
                            StreamAppend(streamId: "m-busy", expectedVersion: .any, events: [try event()]),
                        ])
                    }
                }
            }
            try await group.waitForAll()
        }
        let plans = callers * rounds
        let busy = try store.read(stream: "m-busy")
        #expect(busy.map(\.version) == Array(1...UInt64(plans)))
        for caller in [0, 17, callers - 1] {
            for round in [0, rounds / 2, rounds - 1] {
                let fresh = (caller + round).isMultiple(of: 2) ? "a-\(caller)-\(round)" : "z-\(caller)-\(round)"
                let events = try store.read(stream: fresh)
                #expect(events.map(\.version) == [1, 2])
                #expect(events[1].position == events[0].position + 1)
            }
        }
        guard case .verified(let events, _) = try store.verify() else {
            Issue.record("the log and its stream index do not verify")
            return
        }
        #expect(events == UInt64(3 * plans))
    }

    @Test func survivesReopening() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try EventStore(directory: dir.path)
            for i in 0..<10 { _ = try await appendOne(store, stream: "s-\(i % 3)") }
            store.close()
        }
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        #expect(try store.headPosition == 10)
        let outcome = try await appendOne(store, stream: "s-0", expected: .exact(4))
        #expect(outcome.firstPosition == 11)
        let events = try store.readAll(from: 10, limit: 2)
        #expect(events[1].prevHash == events[0].hash)
        #expect(try store.verify() == .verified(events: 11, head: events[1].hash))
    }

    @Test func aSecondWriterIsRefusedAndReadersAreWelcome() async throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(directory: dir.path)
        defer { store.close() }
        _ = try await appendOne(store, stream: "a-1")
        #expect(throws: EventStoreError.locked(path: dir.path + "/writer.lock")) { try EventStore(directory: dir.path) }
        #expect(DirectoryLock.isHeld(at: dir.path + "/writer.lock"))
    }

    @Test func theMapGrowsFromATinyStart() async throws {
        let dir = TemporaryDirectory()
        var configuration = EventStore.Configuration()
        configuration.initialMapSize = 256 * 1024
        let store = try EventStore(directory: dir.path, configuration: configuration)
        defer { store.close() }
        let padding = String(repeating: "x", count: 200)
        for batch in 0..<100 {
            var events: [ProposedEvent] = []
            for i in 0..<1000 { events.append(try event("Filled", ["i": .int(Int64(batch * 1000 + i)), "pad": .string(padding)])) }
            try await store.append([StreamAppend(streamId: "fill-\(batch)", expectedVersion: .noStream, events: events)])
        }
        #expect(try store.headPosition == 100_000)
        #expect(try store.readAll(from: 99_999, limit: 5).map(\.position) == [99_999, 100_000])
        guard case .verified(let count, _) = try store.verify() else {
            Issue.record("verify failed")
            return
        }
        #expect(count == 100_000)
    }
}
