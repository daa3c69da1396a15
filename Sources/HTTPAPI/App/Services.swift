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
public struct Services: Sendable {
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

    var clock: any AppClock { processor.clock }
    var ids: any IdGenerator { processor.ids }
    var catalog: CatalogQueries { CatalogQueries(readModels: runner.readModels) }
    var orders: OrderQueries { OrderQueries(readModels: runner.readModels) }
    var carts: CartQueries { CartQueries(readModels: runner.readModels) }
    var sales: SalesQueries { SalesQueries(readModels: runner.readModels) }
    var support: SupportQueries { SupportQueries(readModels: runner.readModels) }
}
