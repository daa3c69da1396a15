import ArgumentParser
import CanonicalJSON
import Domain
import EventStore
import Foundation

/// `stats`: event counts by type and stream category, log size, first/last times and the
/// rate over the log's life.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count events by type and category.")

    @OptionGroup var options: DataDirectoryOptions
    @Flag(help: "One JSON object instead of text.") var json = false

    func run() throws {
        let directory = try options.directory()
        let store = try options.openLog()
        defer { store.close() }
        var byType: [String: Int] = [:]
        var byCategory: [String: Int] = [:]
        var total = 0
        var first: String?
        var last: String?
        try store.forEachRawRecord { position, bytes in
            guard case .object(let record) = try JSONParser.parse(bytes) else { return }
            total += 1
            byType[record["type"]?.stringValue ?? "?", default: 0] += 1
            byCategory[StreamId.category(of: record["streamId"]?.stringValue ?? "?"), default: 0] += 1
            let at = record["at"]?.stringValue
            if first == nil { first = at }
            last = at
        }
        // The pages in use, and the file: the server keeps it zero-filled ahead of its pages.
        let size = store.usedBytes
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: directory + "/events/data.mdb")[.size] as? Int) ?? 0
        let span = Double((last.flatMap(RFC3339.parse) ?? 0) - (first.flatMap(RFC3339.parse) ?? 0)) / 1000
        let rate = span > 0 ? Double(total) / span : 0
        if json {
            let document: JSONValue = [
                "events": .int(Int64(total)), "logBytes": .int(Int64(size)), "fileBytes": .int(Int64(fileSize)), "first": first.map(JSONValue.string) ?? .null,
                "last": last.map(JSONValue.string) ?? .null, "eventsPerSecond": .int(Int64(rate.rounded())),
                "byType": .object(byType.mapValues { .int(Int64($0)) }), "byCategory": .object(byCategory.mapValues { .int(Int64($0)) }),
            ]
            print(String(decoding: document.serialized(), as: UTF8.self))
            return
        }
        print("events       \(total)")
        print("log size     \(size) bytes in pages, \(fileSize) bytes of file (the server zero-fills ahead of its pages)")
        print("first        \(first ?? "-")")
        print("last         \(last ?? "-")")
        print(String(format: "rate         %.1f events/s over the log's life", rate))
        print("by category:")
        for (category, count) in byCategory.sorted(by: { $0.value > $1.value }) { print("  \(category.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count)") }
        print("by type:")
        for (type, count) in byType.sorted(by: { $0.value > $1.value }) { print("  \(type.padding(toLength: 28, withPad: " ", startingAt: 0)) \(count)") }
    }
}
