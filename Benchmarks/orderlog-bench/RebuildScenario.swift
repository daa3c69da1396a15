import Application
import ArgumentParser
import EventStore
import Foundation
import HTTPAPI
import Logging
import Projections

/// `rebuild`: rebuilds every read model from an N-event log made by the shopping mix, and
/// measures a server's start-up to ready on that log (read models at the head, resuming
/// from checkpoints).
struct RebuildScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Rebuild all read models from an N-event log; time start-up.")

    @Option(help: "Events in the log.") var events: UInt64 = 200_000
    @Option(help: "Events per read-model transaction.") var chunk = 20_000
    @Option(help: "Reuse (or keep) the log in this directory instead of a temporary one.") var keep: String?
    @Option(help: "Rebuild only these projections (comma-separated names), to see what each costs.") var only: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let scratch = TemporaryDataDirectory("rebuild")
        let directory = keep ?? scratch.path
        let progress = Progress()
        do {
            let generator = try await LogGenerator.open(directory: directory)
            if try generator.store.headPosition < events {
                progress.show("writing a \(events)-event log…")
                let skus = try await generator.catalog(products: 200, stock: 10_000_000)
                try await generator.orders(untilEvents: events, skus: skus)
            }
            generator.store.close()
        }
        let store = try EventStore.openReadOnly(directory: directory + "/events", sideTables: PersonalDataVault.sideTables)
        let head = try store.headPosition
        try? FileManager.default.removeItem(atPath: directory + "/readmodels")
        progress.show("rebuilding…")
        // As `orderlog-replay rebuild` builds: into a fresh environment without a sync per
        // transaction (a crash leaves nothing worth keeping), synced once at the end.
        let target = try ReadModelStore(directory: directory + "/readmodels", noSync: true)
        let start = now()
        var latencies = Latencies()
        var last = now()
        let names = only.map { Set($0.split(separator: ",").map(String.init)) }
        let projections = AllProjections.make().filter { names?.contains($0.name) ?? true }
        guard !projections.isEmpty else { throw ValidationError("--only names no projection") }
        let outcome = try Rebuilder.buildMeasured(projections, into: target, from: store, chunk: chunk) { position in
            let t = now()
            latencies.record(nanoseconds: t - last)
            last = t
            progress.show("rebuilt to \(position) of \(head)…")
        }
        let applied = outcome.applied
        try target.sync()
        let seconds = Double(now() - start) / 1e9
        target.close()
        store.close()
        progress.done()

        var report = Report(scenario: "rebuild", requests: head, ok: applied, seconds: seconds, throughput: Double(applied) / seconds, latencies: latencies)
        if applied != head { report.invariantFailures.append("applied \(applied) of \(head) events") }
        // Which stage sets the rate: the reading thread (log records to decoded events) and the
        // applying thread (projections, LMDB), each against the wall time.
        report.extra = [("events", Double(head)), ("chunk", Double(chunk)), ("readingCPUSeconds", outcome.readingCPUSeconds),
                        ("applyingCPUSeconds", outcome.applyingCPUSeconds)]
        // Start-up to ready: the whole server (log, vault, processor, read models, runner); only
        // when every read model was rebuilt (otherwise the runner still has the rest to apply).
        if only == nil {
            let (ready, startup) = try await startUp(directory: directory)
            if !ready { report.invariantFailures.append("the server was not ready after start-up") }
            report.extra.append(("startupSeconds", startup))
        }
        report.invariantsHold = report.invariantFailures.isEmpty
        report.print(json: output.json)
        if !report.invariantsHold { throw ExitCode(1) }
    }

    /// Opens the whole server on `directory`: whether it was ready at once, and how long it took.
    private func startUp(directory: String) async throws -> (ready: Bool, seconds: Double) {
        var configuration = AppConfiguration()
        configuration.dataDirectory = directory
        configuration.masterKey = String(repeating: "07", count: 32)
        configuration.port = 0
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let began = now()
        let app = try await OrderLogApp.build(configuration: configuration, logger: logger)
        let ready = app.services.runner.isReady()
        let seconds = Double(now() - began) / 1e9
        app.services.store.close()
        app.services.runner.readModels.close()
        return (ready, seconds)
    }
}
