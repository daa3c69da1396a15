import Application
import CryptoPrimitives
import Domain
import EventStore
import Foundation
import Projections
import Synchronization

/// The command side on a real LMDB log in a temp dir, with a hand-moved clock.
public final class Harness: @unchecked Sendable {
    public let dir: TemporaryDirectory
    public let clock: ManualClock
    public let store: EventStore
    public let directory: AccountDirectory
    public let processor: CommandProcessor
    public let vault: PersonalDataVault
    public let accounts: AccountService
    public let scheduler: DeadlineScheduler
    public let pool = ThreadPool(threads: 2)

    public static let masterKey = [UInt8](repeating: 0x42, count: 32)

    public init(dir: TemporaryDirectory = TemporaryDirectory(), clock: ManualClock = ManualClock(), configuration: CommandProcessor.Configuration = .init()) async throws {
        self.dir = dir
        self.clock = clock
        var storeConfiguration = EventStore.Configuration()
        storeConfiguration.sideTables = PersonalDataVault.sideTables
        storeConfiguration.clock = { clock.now().millis }
        store = try EventStore(directory: dir.path + "/events", configuration: storeConfiguration)
        directory = AccountDirectory(store: store)
        processor = CommandProcessor(store: store, directory: directory, clock: clock, ids: ULIDGenerator(clock: clock), configuration: configuration)
        vault = try await PersonalDataVault(store: store, masterKey: Self.masterKey)
        accounts = AccountService(processor: processor, vault: vault, directory: directory,
                                  hasher: PasswordHasher(iterations: 1000, pool: pool), tokens: TokenSigner(secret: Array("test-secret".utf8)))
        scheduler = DeadlineScheduler(processor: processor)
    }

    /// The projections over this log, in `<dir>/readmodels` (start `run()` in a task).
    public func makeRunner(batchSize: Int = 2000) throws -> ProjectionRunner {
        let readModels = try ReadModelStore(directory: dir.path + "/readmodels")
        return try ProjectionRunner(store: store, readModels: readModels, projections: AllProjections.make(), batchSize: batchSize)
    }

    public func close() {
        store.close()
        pool.shutdown()
    }

    public func meta(_ actor: String = "tester") -> CommandMetadata {
        let id = processor.ids.next()
        return CommandMetadata(commandId: id, correlationId: id, actor: actor)
    }

    /// A product `P1` with one sku `S1` of `stock` units at `price` fen.
    @discardableResult
    public func seedProduct(_ productId: String = "P1", skuId: String = "S1", price: Int64 = 100, stock: Int64 = 10, limit: Int? = nil) async throws -> ProductSnapshot {
        let created = try await processor.createProduct(
            Product.Create(productId: productId, title: "华为智能手机 Pro", description: "旗舰", category: "手机", tags: ["5G"], imageUrls: [],
                           skus: [Sku.Definition(skuId: skuId, specs: [SpecEntry(name: "颜色", value: "黑")], priceCents: price, limitPerUser: limit)],
                           now: clock.now()),
            metadata: meta("admin"))
        if stock > 0 { _ = try await processor.changeSku(skuId: skuId, .restock(stock), metadata: meta("admin")) }
        guard case .completed(let snapshot, _) = created else { throw HarnessError.replayed }
        return snapshot
    }

    private let keyed = Mutex<Set<String>>([])

    /// Gives a test user (not registered through accounts) a stored personal-data key.
    public func ensureKey(_ userId: String) async throws {
        guard keyed.withLock({ $0.insert(userId).inserted }) else { return }
        if try store.sideTableValue("keys", key: Array(PersonalDataVault.keyId(for: userId).utf8)) != nil { return }
        let key = try vault.newDataKey(for: userId)
        _ = try await store.submit { _ in Decision(plan: WritePlan(sideTableWrites: [key.write]), staged: { _ in }) }
    }

    public func address(for userId: String) async throws -> Sealed {
        try await ensureKey(userId)
        return try vault.seal(value: ShippingAddress(name: "张三", phone: "13800138000", line1: "长安街1号", city: "北京", postalCode: nil), for: userId)
    }

    public func sealed(_ text: String, for userId: String) async throws -> Sealed {
        try await ensureKey(userId)
        return try vault.seal(text, for: userId)
    }

    public func place(userId: String, lines: [RequestedLine]?, orderId: String? = nil) async throws -> OrderSnapshot {
        let now = clock.now()
        let command = OrderPlacement.Command(orderId: orderId ?? processor.ids.next(), userId: userId, lines: lines, address: try await address(for: userId),
                                             note: nil, now: now, payBy: now.adding(seconds: processor.configuration.paymentTimeoutSeconds))
        guard case .completed(let snapshot, _) = try await processor.placeOrder(command, metadata: meta(userId)) else { throw HarnessError.replayed }
        return snapshot
    }

    /// The sku folded from its stream in the log (independent of the writer's cache).
    public func sku(_ skuId: String) throws -> Sku.State {
        try store.read(stream: StreamId.sku(skuId)).reduce(Sku.initialState) { state, recorded in
            guard case .sku(let event) = try DomainEvent.decode(type: recorded.type, data: recorded.data) else { return state }
            return Sku.evolve(state, event)
        }
    }

    public func order(_ orderId: String) throws -> Order.State {
        try store.read(stream: StreamId.order(orderId)).reduce(Order.initialState) { state, recorded in
            guard case .order(let event) = try DomainEvent.decode(type: recorded.type, data: recorded.data) else { return state }
            return Order.evolve(state, event)
        }
    }
}

public enum HarnessError: Error { case replayed }

extension Submission {
    public var value: Result? {
        if case .completed(let value, _) = self { return value }
        return nil
    }
}
