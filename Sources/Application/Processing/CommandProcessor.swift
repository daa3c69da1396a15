import Domain
import EventStore
import Foundation
import Logging
import Metrics

/// Turns commands into durable events: the decide step of the single writer.
///
/// Every command runs inside the EventStore's writer loop (`EventStore.submit`) — there is no
/// queue in front of it. There it loads the states it needs from the writer's cache (or a
/// snapshot and the events after it), decides with the domain's pure functions, stages the
/// events, and lets the EventStore group-commit them with everything else queued. Commands on
/// one hot sku therefore never conflict: they are decided one after another against the
/// latest state. Sealing, hashing passwords and decoding requests happen before, in the
/// caller's task.
public final class CommandProcessor: Sendable {
    public struct Configuration: Sendable {
        /// Seconds an order waits for payment (`ORDERLOG_PAYMENT_TIMEOUT`).
        public var paymentTimeoutSeconds: Int64 = 1800
        /// Days after shipping an order completes by itself (`ORDERLOG_AUTO_RECEIVE_DAYS`).
        public var autoReceiveDays: Int = 7
        public var cacheCapacity: Int = 100_000
        public var snapshotInterval: UInt64 = 1000
        /// New buyer → order index entries written together once this many have gathered
        /// (`UserOrderIndex`).
        public var userOrderFlushThreshold: Int = 4096

        public init() {}
    }

    public let store: EventStore
    public let clock: any AppClock
    public let ids: any IdGenerator
    public let configuration: Configuration
    let state: ProcessorState
    let directory: AccountDirectory
    let metrics = ProcessorMetrics()

    public init(store: EventStore, directory: AccountDirectory, clock: any AppClock, ids: any IdGenerator, configuration: Configuration = Configuration()) {
        self.store = store
        self.directory = directory
        self.clock = clock
        self.ids = ids
        self.configuration = configuration
        self.state = ProcessorState(cacheCapacity: configuration.cacheCapacity, snapshotInterval: configuration.snapshotInterval,
                                    userOrderFlushThreshold: configuration.userOrderFlushThreshold)
    }

    /// Metadata for a command issued by the system itself (timers, bootstrap).
    public func systemMetadata(causation: String? = nil) -> CommandMetadata {
        let id = ids.next()
        return CommandMetadata(commandId: id, correlationId: id, causationId: causation, actor: "system")
    }

    /// Runs `decide` in the writer with a fresh session and submits its decision.
    func execute<R: Sendable>(
        _ metadata: CommandMetadata,
        idempotency: IdempotencyClaim? = nil,
        remember: (@Sendable (R, UInt64) -> [UInt8])? = nil,
        _ decide: @escaping @Sendable (inout WriterSession) throws -> Decision<R>
    ) async throws -> Submission<R> {
        let state = self.state
        return try await store.submit(idempotency: idempotency, remember: remember) { context in
            var session = WriterSession(context: context, state: state, metadata: metadata)
            return try decide(&session)
        }
    }
}

/// Business counters the processor bumps after commits.
struct ProcessorMetrics: Sendable {
    private let placed = Counter(label: "orderlog_orders_placed_total")
    private let paid = Counter(label: "orderlog_orders_paid_total")
    private let cancelled = Counter(label: "orderlog_orders_cancelled_total")

    func orderPlaced() { placed.increment() }
    func orderPaid() { paid.increment() }
    func ordersCancelled(_ count: Int = 1) { if count > 0 { cancelled.increment(by: count) } }
}

/// Checks an `If-Match` version against the stream's current one.
func checkVersion(_ expected: UInt64?, _ actual: UInt64) throws(Rejection) {
    if let expected, expected != actual { throw .versionMismatch(expected: expected, actual: actual) }
}
