import Application
import ArgumentParser
import Domain
import EventStore
import Foundation
import HTTPAPI

/// `commands`: durable order placement through the command processor, in-process (no HTTP):
/// C buyers place single-line orders on K skus; K = 1 is the flash sale's hot sku.
struct CommandsScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commands", abstract: "In-process order placement through the command processor.")

    @Option(help: "Concurrent buyers.") var concurrency = 256
    @Option(help: "Skus the orders spread over (1 = one hot sku).") var skus = 1
    @Option(help: "Orders to place in all.") var orders = 100_000
    @Flag(help: "Use one pre-sealed address instead of sealing per order (to measure what sealing costs).") var noSealing = false
    @Flag(help: "Give every order a fresh random Idempotency-Key (a UUID, as clients make them), its reply remembered as the server remembers it.")
    var idempotencyKeys = false
    @Option(help: "MiB of the log file kept zero-filled past its last page, as the server does (0: off).")
    var logHeadroomMb = EventStore.Configuration.defaultLogHeadroomMegabytes
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard concurrency > 0, skus > 0, orders > 0 else { throw ValidationError("--concurrency, --skus and --orders must be positive") }
        guard logHeadroomMb >= 0 else { throw ValidationError("--log-headroom-mb must be 0 (off) or positive") }
    }

    func run() async throws {
        let directory = TemporaryDataDirectory("commands")
        let batches = BatchCounter()
        var storeConfiguration = EventStore.Configuration()
        storeConfiguration.sideTables = PersonalDataVault.sideTables
        storeConfiguration.onBatchCommitted = { batches.add($0) }
        storeConfiguration.logHeadroomBytes = logHeadroomMb << 20
        let store = try EventStore(directory: directory.path + "/events", configuration: storeConfiguration)
        let clock = SystemClock()
        let ids = ULIDGenerator(clock: clock)
        let processor = CommandProcessor(store: store, directory: AccountDirectory(store: store), clock: clock, ids: ids)
        let vault = try await PersonalDataVault(store: store, masterKey: [UInt8](repeating: 1, count: 32))
        let stockPerSku = Int64(orders) * 2
        let system = processor.systemMetadata()
        _ = try await processor.createProduct(Product.Create(
            productId: "BENCH", title: "秒杀手机", description: "", category: "手机", tags: [], imageUrls: [],
            skus: (0..<skus).map { Sku.Definition(skuId: "S\($0)", specs: [], priceCents: 99_900, limitPerUser: nil) }, now: clock.now()), metadata: system)
        for k in 0..<skus { _ = try await processor.changeSku(skuId: "S\(k)", .restock(stockPerSku), metadata: processor.systemMetadata()) }
        var keys: [(String, [UInt8])] = []
        var keyWrites: [SideTableWrite] = []
        for buyer in 0..<concurrency {
            let key = try vault.newDataKey(for: "B\(buyer)")
            keys.append((key.keyId, key.key))
            keyWrites.append(key.write)
        }
        let writes = keyWrites
        _ = try await store.submit { _ in Decision(plan: WritePlan(sideTableWrites: writes), staged: { _ in }) }

        let perBuyer = max(1, orders / concurrency)
        let sealEach = !noSealing
        let keyed = idempotencyKeys
        let remember: (@Sendable (OrderSnapshot, UInt64) -> [UInt8])?
        if keyed {
            remember = { snapshot, _ in RememberedReplies.bytes(for: snapshot, status: 201) }
        } else {
            remember = nil
        }
        let skuCount = skus
        // Read before the clock starts: listing and reading every thread's /proc files is not
        // the run's work.
        let threadsAtStart = ThreadTimes.sample()
        let start = now()
        let cpuAtStart = processCPUSeconds()
        let (latencies, rejected, replays) = try await withThrowingTaskGroup(of: (Latencies, UInt64, UInt64).self) { group in
            for buyer in 0..<concurrency {
                let (keyId, key) = keys[buyer]
                let fixed = try Self.address(vault, keyId: keyId, key: key)
                group.addTask {
                    var latencies = Latencies()
                    var rejected: UInt64 = 0
                    var replayed: UInt64 = 0
                    for i in 0..<perBuyer {
                        let began = now()
                        let address = sealEach ? try Self.address(vault, keyId: keyId, key: key) : fixed
                        let placedAt = clock.now()
                        let command = OrderPlacement.Command(
                            orderId: ids.next(), userId: "B\(buyer)", lines: [RequestedLine(skuId: "S\((buyer + i) % skuCount)", quantity: 1)],
                            address: address, note: nil, now: placedAt, payBy: placedAt.adding(seconds: 1800))
                        let id = ids.next()
                        var claim: IdempotencyClaim?
                        if keyed {
                            let key = "B\(buyer):\(UUID().uuidString)"
                            claim = IdempotencyClaim(key: key, fingerprint: Array(key.utf8.suffix(32)))
                        }
                        do {
                            let submission = try await processor.placeOrder(
                                command, metadata: CommandMetadata(commandId: id, correlationId: id, actor: "B\(buyer)"), idempotency: claim,
                                remember: remember)
                            if case .replayed = submission { replayed += 1 }
                            latencies.record(nanoseconds: now() - began)
                        } catch is Rejection {
                            rejected += 1
                        }
                    }
                    return (latencies, rejected, replayed)
                }
            }
            var merged = Latencies()
            var rejected: UInt64 = 0
            var replays: UInt64 = 0
            for try await part in group {
                merged.merge(part.0)
                rejected += part.1
                replays += part.2
            }
            return (merged, rejected, replays)
        }
        let seconds = Double(now() - start) / 1e9
        let cpuCores = (processCPUSeconds() - cpuAtStart) / seconds
        let threadsAtEnd = ThreadTimes.sample()

        var report = Report(scenario: "commands", requests: UInt64(perBuyer * concurrency), ok: latencies.count, rejected: rejected, seconds: seconds,
                            throughput: Double(latencies.count) / seconds, latencies: latencies)
        // Invariants: every sku's ledger balances and its reservations are exactly the orders placed.
        var reservedTotal: Int64 = 0
        for k in 0..<skus {
            let state = try store.read(stream: StreamId.sku("S\(k)")).reduce(Sku.initialState) { state, recorded in
                guard case .sku(let event) = try DomainEvent.decode(type: recorded.type, data: recorded.data) else { return state }
                return Sku.evolve(state, event)
            }
            if !state.ledgerBalances || state.available < 0 { report.invariantFailures.append("sku S\(k) ledger off") }
            reservedTotal += state.reserved
        }
        // A fresh key must make a fresh order: a replay here would be a key remembered wrongly.
        if replays > 0 { report.invariantFailures.append("\(replays) fresh keys were answered as retries") }
        let placed = Int64(latencies.count) - Int64(replays)
        if reservedTotal != placed { report.invariantFailures.append("reserved \(reservedTotal) ≠ \(placed) orders") }
        if case .failed(let position, let reason) = try store.verify() { report.invariantFailures.append("verify failed at \(position): \(reason)") }
        report.invariantsHold = report.invariantFailures.isEmpty
        report.extra = [("skus", Double(skus)), ("concurrency", Double(concurrency)), ("averageBatch", batches.averageEvents),
                        ("writerBusy", batches.writerSeconds / seconds),
                        ("writerCommitShare", batches.commitSeconds / max(batches.writerSeconds, 1e-9)), ("sealing", sealEach ? 1 : 0),
                        ("idempotencyKeys", keyed ? 1 : 0), ("logHeadroomMB", Double(logHeadroomMb)), ("cpuCores", cpuCores)]
            + ThreadTimes.writerFigures(from: threadsAtStart, to: threadsAtEnd, seconds: seconds, units: Double(latencies.count), unit: "Order")
        store.close()
        report.print(json: output.json)
        if !report.invariantsHold { throw ExitCode(1) }
    }

    static func address(_ vault: PersonalDataVault, keyId: String, key: [UInt8]) throws -> Sealed {
        try vault.seal(value: ShippingAddress(name: "张三", phone: "13800138000", line1: "北京市朝阳区建国路88号", city: "北京", postalCode: "100022"),
                       keyId: keyId, key: key)
    }
}
