import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Projections

/// What the routes use: the command side, the query side and the HTTP-level helpers, passed
/// in as parameters (no singletons).
///
/// A class: every request's `Call` holds it, and as a struct each copy retained (and each
/// drop released) its two dozen references — shared by every request on both cores.
public final class Services: Sendable {
    public let configuration: AppConfiguration
    public let store: EventStore
    public let processor: CommandProcessor
    public let accounts: AccountService
    public let vault: PersonalDataVault
    public let runner: ProjectionRunner
    public let scheduler: DeadlineScheduler
    public let payments: any PaymentProvider
    public let wechat: WeChatSessionClient?
    let rateLimiter: RateLimiter?
    let metrics: HTTPMetrics
    public let logger: Logger

    init(configuration: AppConfiguration, store: EventStore, processor: CommandProcessor, accounts: AccountService, vault: PersonalDataVault,
         runner: ProjectionRunner, scheduler: DeadlineScheduler, payments: any PaymentProvider, wechat: WeChatSessionClient?,
         rateLimiter: RateLimiter?, metrics: HTTPMetrics, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.processor = processor
        self.accounts = accounts
        self.vault = vault
        self.runner = runner
        self.scheduler = scheduler
        self.payments = payments
        self.wechat = wechat
        self.rateLimiter = rateLimiter
        self.metrics = metrics
        self.logger = logger
    }

    var clock: any AppClock { processor.clock }
    var ids: any IdGenerator { processor.ids }
    var catalog: CatalogQueries { CatalogQueries(readModels: runner.readModels) }
    var orders: OrderQueries { OrderQueries(readModels: runner.readModels) }
    var carts: CartQueries { CartQueries(readModels: runner.readModels) }
    var sales: SalesQueries { SalesQueries(readModels: runner.readModels) }
    var support: SupportQueries { SupportQueries(readModels: runner.readModels) }
}
