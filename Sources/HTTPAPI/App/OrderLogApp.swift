import Application
import AsyncHTTPClient
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Projections
import ServiceLifecycle

/// Builds the whole server from its configuration: the log, the command side, the read
/// models, the routes and the services around them. Dependencies are parameters (clock,
/// configuration), so tests build the real thing.
public struct OrderLogApp: Sendable {
    public let application: Application<RouterResponder<AppContext>>
    public let services: Services
    public let routes: RouteTable
    let lock: DirectoryLock

    public enum StartupError: Error, CustomStringConvertible {
        case dataDirectoryLocked(String)

        public var description: String {
            switch self {
            case .dataDirectoryLocked(let path): "another orderlog-server is running on \(path) (it holds \(path)/orderlog.lock)"
            }
        }
    }

    public static func build(configuration: AppConfiguration, clock: any AppClock = SystemClock(),
                             logger: Logger = Logger(label: "orderlog"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> OrderLogApp {
        try configuration.validate()
        let data = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(path: data + "/orderlog.lock")
        } catch {
            throw StartupError.dataDirectoryLocked(data)
        }
        _ = MetricsRegistry.shared
        let metrics = HTTPMetrics()

        var storeConfiguration = EventStore.Configuration()
        storeConfiguration.sideTables = PersonalDataVault.sideTables
        storeConfiguration.clock = { clock.now().millis }
        storeConfiguration.logHeadroomBytes = configuration.logHeadroomMegabytes << 20
        storeConfiguration.onBatchCommitted = { metrics.batch($0) }
        storeConfiguration.onWriteFailure = { error in
            metrics.writeFailed()
            logger.critical("a group commit failed and was rolled back: \(error)")
        }
        let store = try EventStore(directory: data + "/events", configuration: storeConfiguration)

        let keyStoreEmpty = try store.sideTableEntries("keys").isEmpty
        let masterKey = try PersonalDataVault.masterKey(dataDirectory: data, environmentValue: configuration.masterKey, keyStoreIsEmpty: keyStoreEmpty)
        let vault = try await PersonalDataVault(store: store, masterKey: masterKey)
        let tokenSecret = try TokenSigner.secret(dataDirectory: data, environmentValue: configuration.tokenSecret)

        var processorConfiguration = CommandProcessor.Configuration()
        processorConfiguration.paymentTimeoutSeconds = configuration.paymentTimeoutSeconds
        processorConfiguration.autoReceiveDays = configuration.autoReceiveDays
        let directory = AccountDirectory(store: store)
        let processor = CommandProcessor(store: store, directory: directory, clock: clock, ids: ULIDGenerator(clock: clock), configuration: processorConfiguration)
        let pool = ThreadPool(threads: 2, name: "ol-pbkdf2")
        let accounts = AccountService(processor: processor, vault: vault, directory: directory,
                                      hasher: PasswordHasher(iterations: configuration.pbkdf2Iterations, pool: pool), tokens: TokenSigner(secret: tokenSecret))

        let readModels = try ReadModelStore(directory: data + "/readmodels")
        let runner = try ProjectionRunner(store: store, readModels: readModels, projections: AllProjections.make(), logger: logger)
        let scheduler = DeadlineScheduler(processor: processor, logger: logger)

        if configuration.paymentSecret == nil {
            logger.warning("ORDERLOG_PAYMENT_SECRET is not set: payments use a DEVELOPMENT secret anyone can forge notifications with. Never run a shop like this.")
        }
        let payments = SandboxPaymentProvider(secret: configuration.paymentSecret ?? SandboxPaymentProvider.developmentSecret,
                                              appId: configuration.wechatAppId ?? "")
        var httpClient: HTTPClient?
        var wechat: WeChatSessionClient?
        if let appId = configuration.wechatAppId, let secret = configuration.wechatSecret {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            httpClient = client
            wechat = WeChatSessionClient(client: client, appId: appId, secret: secret, baseURL: configuration.wechatAPI)
        }

        let services = Services(
            configuration: configuration, store: store, processor: processor, accounts: accounts, vault: vault, runner: runner, scheduler: scheduler,
            payments: payments, wechat: wechat, rateLimiter: configuration.rateLimit > 0 ? RateLimiter(requestsPerSecond: configuration.rateLimit) : nil,
            metrics: metrics, logger: logger)

        if let password = configuration.adminPassword {
            try await accounts.ensureAdmin(password: password)
        }
        if configuration.seedDemo, try await DemoCatalog.seedIfEmpty(processor: processor, store: store) {
            logger.info("seeded the demo catalog (\(DemoCatalog.items.count) products)")
        }

        let table = RouteTable()
        let router = Router(context: AppContext.self)
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: NotFoundMiddleware(table: table))
        // Hummingbird tries a path segment's constant alternatives in the order they were first
        // registered (a string comparison each): the load balancer's probes, then the shop's
        // busiest routes — placing an order walked past ten `/v1/…` segments before `orders`.
        OperationsRoutes(services: services).register(on: router, table: table)
        OrderRoutes(services: services).register(on: router, table: table)
        CartRoutes(services: services).register(on: router, table: table)
        CatalogRoutes(services: services).register(on: router, table: table)
        PaymentRoutes(services: services).register(on: router, table: table)
        AccountRoutes(services: services).register(on: router, table: table)
        AdminCatalogRoutes(services: services).register(on: router, table: table)
        AdminOrderRoutes(services: services).register(on: router, table: table)
        SupportRoutes(services: services).register(on: router, table: table)
        AuditRoutes(services: services).register(on: router, table: table)

        let requestTimeout = TimeAmount.seconds(configuration.requestTimeoutSeconds)
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(timeout: requestTimeout)], idleTimeout: TimeAmount.seconds(configuration.idleTimeoutSeconds))
        var server = HTTPServerBuilder.http1(configuration: http)
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(server, tlsConfiguration: tls)
        }
        let closeClient = httpClient
        let storage = StorageService(store: store, readModels: readModels, onClose: {
            pool.shutdown()
            try? closeClient?.syncShutdown()
        })
        let application = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil, reuseAddress: true),
            services: [storage, runner, scheduler],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("orderlog-server listening on \(configuration.tlsCertificate == nil ? "http" : "https")://\(configuration.host):\(port)",
                            metadata: ["allocator": "\(MemoryAllocator.description)"])
                await onServerRunning(port)
            },
            logger: logger)
        return OrderLogApp(application: application, services: services, routes: table, lock: lock)
    }
}
