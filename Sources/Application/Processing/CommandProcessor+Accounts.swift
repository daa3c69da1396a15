import Domain
import EventStore

/// An account with its stream version.
public struct AccountSnapshot: Sendable {
    public let account: Account.State
    public let version: UInt64
}

extension CommandProcessor {
    /// Registers a password or WeChat account. `dataKey` is the new user's wrapped personal-data
    /// key, stored in the same transaction; `openIdKey` links a WeChat openid.
    public func register(_ command: Account.Register, dataKey: SideTableWrite, metadata: CommandMetadata) async throws -> Submission<AccountSnapshot> {
        let directory = self.directory
        return try await execute(metadata) { session in
            let claimStream = StreamId.username(command.usernameKey)
            let claim = try session.load(UsernameClaim.self, claimStream)
            let userStream = StreamId.user(command.userId)
            let account = try session.load(Account.self, userStream)
            if let openIdKey = command.openIdKey {
                let link = try session.load(WeChatLink.self, StreamId.wechat(openIdKey))
                if link.state.userId != nil { throw Rejection.alreadyExists(what: "wechat account", id: "") }
                try session.append(WeChatLink.self, StreamId.wechat(openIdKey), [WeChatLink.link(userId: command.userId)])
            }
            let decided = try Account.decideRegister(command, claim: claim.state, account.state)
            try session.append(Account.self, userStream, decided.account)
            try session.append(UsernameClaim.self, claimStream, decided.claim)
            session.write(dataKey)
            let after = try session.load(Account.self, userStream)
            return session.decision(committed: { directory.update(command.userId, version: after.version, account: after.state) }) {
                AccountSnapshot(account: after.state, version: after.version)
            }
        }
    }

    /// Logout: revokes every token issued so far.
    public func logout(userId: String, metadata: CommandMetadata) async throws -> Submission<AccountSnapshot> {
        let now = clock.now()
        let directory = self.directory
        return try await execute(metadata) { session in
            let stream = StreamId.user(userId)
            let account = try session.load(Account.self, stream)
            try session.append(Account.self, stream, try Account.decideLogout(now: now, account.state))
            let after = try session.load(Account.self, stream)
            return session.decision(committed: { directory.update(userId, version: after.version, account: after.state) }) {
                AccountSnapshot(account: after.state, version: after.version)
            }
        }
    }

    /// Makes the bootstrap admin's role and password match the configuration.
    public func ensureAdmin(userId: String, passwordHash: String, passwordMatches: Bool, metadata: CommandMetadata) async throws -> Submission<AccountSnapshot> {
        let now = clock.now()
        let directory = self.directory
        return try await execute(metadata) { session in
            let stream = StreamId.user(userId)
            let account = try session.load(Account.self, stream)
            try session.append(Account.self, stream,
                               Account.decideEnsureAdmin(passwordHash: passwordHash, passwordMatches: passwordMatches, now: now, account.state))
            let after = try session.load(Account.self, stream)
            return session.decision(committed: { directory.update(userId, version: after.version, account: after.state) }) {
                AccountSnapshot(account: after.state, version: after.version)
            }
        }
    }

    /// Erases an account: cancels its unpaid orders, releases its username and WeChat link,
    /// and destroys its personal-data keys — all in one transaction.
    /// `onCommitted` runs after the commit, before anyone is answered (the vault forgets the
    /// destroyed key there).
    public func erase(userId: String, metadata: CommandMetadata, onCommitted: @escaping @Sendable () -> Void = {}) async throws -> Submission<AccountSnapshot> {
        let now = clock.now()
        let directory = self.directory
        let days = configuration.autoReceiveDays
        let counters = metrics
        return try await execute(metadata) { session in
            let stream = StreamId.user(userId)
            let account = try session.load(Account.self, stream)
            let orders = try session.orders(of: userId)
            let outcome = try Erasure.decide(now: now, account: account.state, orders: orders)
            for (orderId, decision) in outcome.orders {
                guard let before = orders.first(where: { $0.orderId == orderId }) else { continue }
                try session.apply(decision, to: before, autoReceiveDays: days)
            }
            try session.append(Account.self, stream, outcome.account)
            if !account.state.usernameKey.isEmpty {
                try session.append(UsernameClaim.self, StreamId.username(account.state.usernameKey), outcome.claim)
            }
            if let openIdKey = account.state.openIdKey {
                try session.append(WeChatLink.self, StreamId.wechat(openIdKey), outcome.wechat)
            }
            session.write(SideTableWrite(table: SideTables.keys, key: Array((userId + "/").utf8), operation: .deletePrefix))
            let after = try session.load(Account.self, stream)
            let cancelledCount = outcome.orders.count
            let state = session.state
            return session.decision(committed: {
                directory.update(userId, version: after.version, account: after.state)
                onCommitted()
                counters.ordersCancelled(cancelledCount)
            }) {
                state.purchases.remove(userId)
                return AccountSnapshot(account: after.state, version: after.version)
            }
        }
    }
}
