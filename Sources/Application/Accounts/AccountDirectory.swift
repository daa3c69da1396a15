import Domain
import EventStore
import Synchronization

/// Accounts as the command side knows them, for token checks on every request: a cache in
/// front of the log that the writer updates after each commit touching an account, so a
/// logout or an erasure takes effect before its response is sent. Never a lagging read model.
public final class AccountDirectory: Sendable {
    private struct Entry {
        let version: UInt64
        let account: Account.State
    }

    private let store: EventStore
    /// Accounts by user id, the most recently used kept.
    private let entries: Mutex<LRUCache<String, Entry>>

    public init(store: EventStore, capacity: Int = 200_000) {
        self.store = store
        self.entries = Mutex(LRUCache(capacity: capacity))
    }

    /// The account, or nil when no such user exists.
    public func account(_ userId: String) throws -> Account.State? {
        if let entry = entries.withLock({ $0.get(userId) }) { return entry.account.exists ? entry.account : nil }
        let (state, version) = try fold(Account.self, stream: StreamId.user(userId))
        guard state.exists else { return nil }
        insert(userId, Entry(version: version, account: state), onlyIfNewer: true)
        return state
    }

    /// Called by the writer after a commit: always wins over a concurrent reader's older fold.
    func update(_ userId: String, version: UInt64, account: Account.State) {
        insert(userId, Entry(version: version, account: account), onlyIfNewer: false)
    }

    private func insert(_ userId: String, _ entry: Entry, onlyIfNewer: Bool) {
        entries.withLock { entries in
            if onlyIfNewer, let existing = entries.get(userId), existing.version >= entry.version { return }
            entries.set(userId, entry)
        }
    }

    /// The owner of a username claim (by its keyed hash), read from the log.
    public func owner(ofUsernameKey key: String) throws -> String? {
        try fold(UsernameClaim.self, stream: StreamId.username(key)).state.owner
    }

    /// The account linked to a WeChat openid (by its keyed hash), read from the log.
    public func owner(ofOpenIdKey key: String) throws -> String? {
        try fold(WeChatLink.self, stream: StreamId.wechat(key)).state.userId
    }

    /// The stream's state and version, folded from the log (events of other aggregates in it,
    /// which the processor never writes there, are passed over).
    private func fold<A: Decider>(_ decider: A.Type, stream: String) throws -> (state: A.State, version: UInt64) {
        var state = A.initialState
        var version: UInt64 = 0
        for recorded in try store.read(stream: stream) {
            guard let event = A.extract(try DomainEvent.decode(type: recorded.type, data: recorded.data)) else { continue }
            A.evolve(&state, event)
            version = recorded.version
        }
        return (state, version)
    }
}
