import ArgumentParser
import EventStore
import Foundation
import Projections

/// `rebuild --check`: rebuilds read models into a temporary directory up to the live
/// checkpoint and compares digests. `rebuild`: replaces the live read models (refused while a
/// server holds the data directory).
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Check or replace the read models by rebuilding them from the log.")

    @OptionGroup var options: DataDirectoryOptions
    @Flag(help: "Only compare a rebuild with the live read models; change nothing.") var check = false
    @Option(help: "One projection (\(AllProjections.make().map(\.name).joined(separator: ", "))).") var projection: String?

    func selected() throws -> [any Projection] {
        let all = AllProjections.make()
        guard let projection else { return all }
        guard let one = all.first(where: { $0.name == projection }) else {
            throw ToolFailure.usage("no projection \(projection); known: \(all.map(\.name).joined(separator: ", "))")
        }
        return [one]
    }

    func run() throws {
        let projections = try selected()
        let directory = try options.directory()
        if check { try runCheck(projections, directory: directory) } else { try replace(projections, directory: directory) }
    }

    private func runCheck(_ projections: [any Projection], directory: String) throws {
        let store = try options.openLog()
        defer { store.close() }
        guard FileManager.default.fileExists(atPath: directory + "/readmodels/data.mdb") else {
            throw ToolFailure.usage("\(directory) has no read models to check")
        }
        let live = try ReadModelStore(directory: directory + "/readmodels", readOnly: true)
        defer { live.close() }
        let scratch = NSTemporaryDirectory() + "orderlog-rebuild-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var differences: [String] = []
        // Projections at the same checkpoint are rebuilt together (one pass over the log).
        var byCheckpoint: [UInt64: [any Projection]] = [:]
        for projection in projections {
            try live.registerExisting(projection)
            byCheckpoint[try live.checkpoint(projection.name), default: []].append(projection)
        }
        let progress = ProgressLine()
        for (checkpoint, group) in byCheckpoint.sorted(by: { $0.key < $1.key }) {
            let target = try ReadModelStore(directory: scratch + "/\(checkpoint)", noSync: true)
            defer { target.close() }
            try Rebuilder.build(group, into: target, from: store, upTo: checkpoint) { progress.show("rebuilt to \($0) of \(checkpoint)…") }
            progress.clear()
            for projection in group {
                let rebuilt = try target.digest(projection.name)
                let current = try live.digest(projection.name)
                let verdict = rebuilt == current ? "equal" : "DIFFERENT"
                print("\(projection.name) at \(checkpoint): \(verdict) (live \(current.prefix(16))…, rebuilt \(rebuilt.prefix(16))…)")
                if rebuilt != current { differences.append(projection.name) }
            }
        }
        if !differences.isEmpty { throw ToolFailure.failed("read models differ from a rebuild: \(differences.joined(separator: ", "))") }
    }

    private func replace(_ projections: [any Projection], directory: String) throws {
        guard !options.serverIsRunning() else {
            throw ToolFailure.usage("a server holds \(directory); stop it before replacing its read models (or use --check)")
        }
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(path: options.lockPath)
        } catch {
            throw ToolFailure.usage("a server holds \(directory)")
        }
        defer { _ = lock }
        let store = try options.openLog()
        defer { store.close() }
        let live = directory + "/readmodels"
        let fresh = directory + "/readmodels.rebuilding"
        try? FileManager.default.removeItem(atPath: fresh)
        let progress = ProgressLine()
        if projections.count == AllProjections.make().count {
            // Built aside and swapped in only when complete, so a crash midway leaves nothing
            // worth keeping: no sync per transaction (each waited for the disk), one at the end.
            let target = try ReadModelStore(directory: fresh, noSync: true)
            let count = try Rebuilder.build(projections, into: target, from: store) { progress.show("rebuilt to \($0)…") }
            try target.sync()
            target.close()
            progress.clear()
            let old = directory + "/readmodels.old"
            try? FileManager.default.removeItem(atPath: old)
            if FileManager.default.fileExists(atPath: live) { try FileManager.default.moveItem(atPath: live, toPath: old) }
            try FileManager.default.moveItem(atPath: fresh, toPath: live)
            try? FileManager.default.removeItem(atPath: old)
            print("rebuilt every read model from \(count) events")
        } else {
            // One projection: rebuild it in place (its databases are emptied first).
            let target = try ReadModelStore(directory: live)
            defer { target.close() }
            for projection in projections { try target.reset(projection) }
            let count = try Rebuilder.build(projections, into: target, from: store) { progress.show("rebuilt to \($0)…") }
            progress.clear()
            print("rebuilt \(projections.map(\.name).joined(separator: ", ")) from \(count) events")
        }
    }
}
