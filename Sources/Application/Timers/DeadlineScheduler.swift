import Domain
import EventStore
import LMDB
import Logging
import ServiceLifecycle

/// Fires payment timeouts and auto-receipts when they fall due.
///
/// Deadlines are written to the log environment's `deadlines` side table in the same
/// transaction as the event that sets them (order placed, order shipped), so they survive
/// restarts without replaying anything and never delay readiness. Every `interval` the
/// scheduler reads the due ones (a key range, oldest first) and issues a command per
/// deadline; each command re-decides from the order's state and deletes its deadline, so a
/// repeat or a stale deadline does nothing.
public final class DeadlineScheduler: Service, Sendable {
    let processor: CommandProcessor
    let interval: Duration
    let logger: Logger

    public init(processor: CommandProcessor, interval: Duration = .seconds(1), logger: Logger = Logger(label: "orderlog.timers")) {
        self.processor = processor
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await self.tick()
                } catch {
                    self.logger.error("firing deadlines failed: \(error)")
                }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Fires every deadline due now (up to `limit`); returns how many it fired.
    @discardableResult
    public func tick(limit: Int = 2000) async throws -> Int {
        let now = processor.clock.now()
        let end = BigEndian.bytes(UInt64(max(0, now.millis + 1)))
        let due = try processor.store.sideTableRange(SideTables.deadlines, from: [], to: end, limit: limit)
        guard !due.isEmpty else { return 0 }
        let processor = self.processor
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for entry in due {
                guard let deadline = SideTables.parseDeadline(entry.key) else { continue }
                if running >= 64 {
                    try await group.next()
                    running -= 1
                }
                group.addTask {
                    _ = try await processor.fireDeadline(key: entry.key, kind: deadline.kind, orderId: deadline.orderId,
                                                         metadata: processor.systemMetadata(causation: "deadline:" + deadline.orderId))
                }
                running += 1
            }
            try await group.waitForAll()
        }
        return due.count
    }
}
