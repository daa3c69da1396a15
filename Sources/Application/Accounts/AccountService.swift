import CryptoPrimitives
import Domain
import EventStore
import Foundation
import Synchronization

/// Registration, login, tokens, logout, erasure and the bootstrap admin: the command side of
/// accounts. Reads go to the log and the writer-fed `AccountDirectory`, never a read model.
public final class AccountService: Sendable {
    public enum Failure: Error, Equatable {
        /// Wrong login, or a token that is missing, malformed, forged, expired or revoked.
        case unauthorized
    }

    /// A signed-in user.
    public struct Principal: Sendable, Equatable {
        public let userId: String
        public let role: Role

        public init(userId: String, role: Role) {
            self.userId = userId
            self.role = role
        }
    }

    /// What register and login answer.
    public struct Session: Sendable {
        public let userId: String
        public let username: String
        public let role: Role
        public let token: String
        public let position: UInt64
    }

    let processor: CommandProcessor
    let vault: PersonalDataVault
    let directory: AccountDirectory
    let hasher: PasswordHasher
    let tokens: TokenSigner
    /// Tokens whose signature already verified, by the token itself: a hit skips the HMAC and
    /// claim parsing, never the expiry, revocation and account checks.
    private let verified = Mutex(LRUCache<String, TokenSigner.Claims>(capacity: 50_000))

    public init(processor: CommandProcessor, vault: PersonalDataVault, directory: AccountDirectory, hasher: PasswordHasher, tokens: TokenSigner) {
        self.processor = processor
        self.vault = vault
        self.directory = directory
        self.hasher = hasher
        self.tokens = tokens
    }

    private var clock: any AppClock { processor.clock }

    func usernameKey(_ username: String) -> String {
        vault.lookupKey("username:" + username.lowercased())
    }

    func openIdKey(_ openId: String) -> String {
        vault.lookupKey("wechat-openid:" + openId)
    }

    // MARK: Registration and login

    /// Registers a password account. The hash is computed before the command reaches the writer.
    public func register(username: String, password: String, role: Role = .customer, metadata: CommandMetadata) async throws -> Session {
        let key = usernameKey(username)
        if try directory.owner(ofUsernameKey: key) != nil { throw Rejection.alreadyExists(what: "username", id: username) }
        let passwordHash = try await hasher.hash(password)
        return try await createAccount(username: username, key: key, role: role, passwordHash: passwordHash, openId: nil, metadata: metadata)
    }

    private func createAccount(username: String, key: String, role: Role, passwordHash: String?, openId: String?, metadata: CommandMetadata) async throws -> Session {
        let userId = processor.ids.next()
        let dataKey = try vault.newDataKey(for: userId)
        let command = Account.Register(
            userId: userId, username: try vault.seal(username, keyId: dataKey.keyId, key: dataKey.key), usernameKey: key, role: role,
            passwordHash: passwordHash, openIdKey: openId.map(openIdKey), openId: try openId.map { try vault.seal($0, keyId: dataKey.keyId, key: dataKey.key) },
            now: clock.now())
        let submission: Submission<AccountSnapshot>
        do {
            submission = try await processor.register(command, dataKey: dataKey.write, metadata: metadata)
        } catch Rejection.alreadyExists(let what, _) where what == "username" {
            throw Rejection.alreadyExists(what: "username", id: username)
        }
        guard case .completed(let snapshot, let position) = submission else { throw Failure.unauthorized }
        return Session(userId: userId, username: username, role: snapshot.account.role,
                       token: tokens.issue(userId: userId, generation: snapshot.account.tokenGeneration, now: clock.now()), position: position)
    }

    /// Signs in; an unknown name costs the same time as a wrong password and fails the same way.
    public func login(username: String, password: String) async throws -> Session {
        guard let userId = try directory.owner(ofUsernameKey: usernameKey(username)),
              let account = try directory.account(userId), account.isActive, let hash = account.passwordHash
        else {
            await hasher.burnEquivalentWork(password)
            throw Failure.unauthorized
        }
        guard await hasher.verify(password, against: hash) else { throw Failure.unauthorized }
        let head = try processor.store.head(of: StreamId.user(userId))
        return Session(userId: userId, username: displayName(account), role: account.role,
                       token: tokens.issue(userId: userId, generation: account.tokenGeneration, now: clock.now()), position: head?.position ?? 0)
    }

    /// Finds or creates the account of a WeChat openid; `created` tells which.
    public func signIn(openId: String, metadata: CommandMetadata) async throws -> (session: Session, created: Bool) {
        if let userId = try directory.owner(ofOpenIdKey: openIdKey(openId)), let account = try directory.account(userId), account.isActive {
            let head = try processor.store.head(of: StreamId.user(userId))
            let session = Session(userId: userId, username: displayName(account), role: account.role,
                                  token: tokens.issue(userId: userId, generation: account.tokenGeneration, now: clock.now()), position: head?.position ?? 0)
            return (session, false)
        }
        let suffix = Base64URL.encode(try SecureRandom.bytes(6)).replacingOccurrences(of: "-", with: "x").replacingOccurrences(of: "_", with: "y")
        let username = "wx_" + suffix
        return (try await createAccount(username: username, key: usernameKey(username), role: .customer, passwordHash: nil, openId: openId,
                                        metadata: metadata), true)
    }

    // MARK: Tokens

    /// The principal of a valid token: signed by us, unexpired, of an active account, and not
    /// revoked by a later logout.
    public func authenticate(_ token: String) throws -> Principal {
        let now = clock.now()
        let claims: TokenSigner.Claims
        if let cached = verified.withLock({ $0.get(token) }) {
            claims = cached
        } else {
            guard let checked = tokens.verify(token, now: now) else { throw Failure.unauthorized }
            verified.withLock { $0.set(token, checked) }
            claims = checked
        }
        guard claims.expiresAt > now.unixSeconds, let account = try directory.account(claims.userId), account.isActive,
              claims.generation == account.tokenGeneration
        else { throw Failure.unauthorized }
        return Principal(userId: claims.userId, role: account.role)
    }

    public func account(_ userId: String) throws -> Account.State? {
        try directory.account(userId)
    }

    /// The username in the clear (or `[erased]`).
    public func displayName(_ account: Account.State) -> String {
        account.username.map { vault.open($0) } ?? Sealed.erasedText
    }

    public func logout(userId: String, metadata: CommandMetadata) async throws -> UInt64 {
        let submission = try await processor.logout(userId: userId, metadata: metadata)
        guard case .completed(_, let position) = submission else { return 0 }
        return position
    }

    // MARK: Erasure

    /// Erases the account after checking its password (WeChat accounts have none).
    public func erase(userId: String, password: String?, metadata: CommandMetadata) async throws -> UInt64 {
        guard let account = try directory.account(userId), account.isActive else { throw Failure.unauthorized }
        if let hash = account.passwordHash {
            guard let password, await hasher.verify(password, against: hash) else { throw Failure.unauthorized }
        }
        let vault = self.vault
        let submission = try await processor.erase(userId: userId, metadata: metadata, onCommitted: { vault.forget(userId: userId) })
        guard case .completed(_, let position) = submission else { return 0 }
        return position
    }

    // MARK: Bootstrap admin

    /// Makes sure a user `admin` with role admin and this password exists.
    public func ensureAdmin(password: String) async throws {
        let metadata = processor.systemMetadata()
        if let userId = try directory.owner(ofUsernameKey: usernameKey("admin")), let account = try directory.account(userId), account.isActive {
            let matches = await account.passwordHash.asyncMap { await hasher.verify(password, against: $0) } ?? false
            let hash = matches ? (account.passwordHash ?? "") : try await hasher.hash(password)
            _ = try await processor.ensureAdmin(userId: userId, passwordHash: hash, passwordMatches: matches, metadata: metadata)
            return
        }
        _ = try await register(username: "admin", password: password, role: .admin, metadata: metadata)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
