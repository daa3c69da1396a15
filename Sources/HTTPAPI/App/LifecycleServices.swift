import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections
import ServiceLifecycle

/// Closes the log and the read models once everything that uses them has stopped. Listed
/// first among the application's services, so graceful shutdown (which runs in reverse)
/// reaches it last: in-flight requests finished, projections and timers stopped, then the
/// writer drains its queue and commits, and LMDB closes.
struct StorageService: Service {
    let store: EventStore
    let readModels: ReadModelStore
    let onClose: @Sendable () -> Void

    func run() async throws {
        try? await gracefulShutdown()
        store.close()
        readModels.close()
        onClose()
    }
}
