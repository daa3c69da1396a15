/// A user account: role, credentials, token generation, erasure. Stream `user-<userId>`.
///
/// The username is personal data, so the account keeps it sealed; uniqueness is claimed on a
/// separate stream named by a keyed hash of the lowercased name (`UsernameClaim`).
public enum Account: Decider {
    // MARK: Events

    public struct Registered: EventPayload, Equatable {
        public static let typeName = "UserRegistered"
        public let userId: String
        public let username: Sealed
        /// Keyed hash of the lowercased username (its claim stream's id).
        public let usernameKey: String
        public let role: Role
        /// `pbkdf2-sha256$<iterations>$<salt>$<hash>`; nil for WeChat accounts.
        public let passwordHash: String?
        /// Keyed hash of the WeChat openid; nil for password accounts.
        public let openIdKey: String?
        public let openId: Sealed?
        public let registeredAt: Timestamp
    }

    public struct PasswordChanged: EventPayload, Equatable {
        public static let typeName = "UserPasswordChanged"
        public let passwordHash: String
        public let at: Timestamp
    }

    public struct RoleChanged: EventPayload, Equatable {
        public static let typeName = "UserRoleChanged"
        public let role: Role
        public let at: Timestamp
    }

    /// Logout: every token issued so far (generation < `generation`) stops working.
    public struct TokensRevoked: EventPayload, Equatable {
        public static let typeName = "UserTokensRevoked"
        public let generation: Int
        public let at: Timestamp
    }

    public struct Erased: EventPayload, Equatable {
        public static let typeName = "UserErased"
        public let at: Timestamp
    }

    public enum Event: Sendable, Equatable {
        case registered(Registered)
        case passwordChanged(PasswordChanged)
        case roleChanged(RoleChanged)
        case tokensRevoked(TokensRevoked)
        case erased(Erased)
    }

    // MARK: State

    public struct State: Sendable, Equatable, Codable {
        public var exists = false
        public var userId = ""
        public var username: Sealed?
        public var usernameKey = ""
        public var role = Role.customer
        public var passwordHash: String?
        public var openIdKey: String?
        public var tokenGeneration = 0
        public var erased = false

        public init() {}

        /// Can sign in and act.
        public var isActive: Bool { exists && !erased }
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .registered(let e):
            s.exists = true
            s.userId = e.userId
            s.username = e.username
            s.usernameKey = e.usernameKey
            s.role = e.role
            s.passwordHash = e.passwordHash
            s.openIdKey = e.openIdKey
        case .passwordChanged(let e): s.passwordHash = e.passwordHash
        case .roleChanged(let e): s.role = e.role
        case .tokensRevoked(let e): s.tokenGeneration = e.generation
        case .erased:
            s.erased = true
            s.passwordHash = nil
            s.tokenGeneration += 1
        }
    }

    // MARK: Decisions

    public struct Register: Sendable {
        public let userId: String
        public let username: Sealed
        public let usernameKey: String
        public let role: Role
        public let passwordHash: String?
        public let openIdKey: String?
        public let openId: Sealed?
        public let now: Timestamp

        public init(userId: String, username: Sealed, usernameKey: String, role: Role, passwordHash: String?, openIdKey: String?, openId: Sealed?, now: Timestamp) {
            self.userId = userId
            self.username = username
            self.usernameKey = usernameKey
            self.role = role
            self.passwordHash = passwordHash
            self.openIdKey = openIdKey
            self.openId = openId
            self.now = now
        }
    }

    /// Registers a new account and claims its username (the claim must be free).
    public static func decideRegister(_ command: Register, claim: UsernameClaim.State, _ state: State) throws(Rejection) -> (account: [Event], claim: [UsernameClaim.Event]) {
        guard !state.exists else { throw .alreadyExists(what: "user", id: command.userId) }
        guard claim.owner == nil else { throw .alreadyExists(what: "username", id: "") }
        let registered = Registered(userId: command.userId, username: command.username, usernameKey: command.usernameKey, role: command.role,
                                    passwordHash: command.passwordHash, openIdKey: command.openIdKey, openId: command.openId,
                                    registeredAt: command.now)
        return ([.registered(registered)], [.claimed(UsernameClaim.Claimed(userId: command.userId))])
    }

    public static func decideLogout(now: Timestamp, _ state: State) throws(Rejection) -> [Event] {
        guard state.isActive else { throw .notFound(resource: "user", id: state.userId) }
        return [.tokensRevoked(TokensRevoked(generation: state.tokenGeneration + 1, at: now))]
    }

    /// Makes sure the bootstrap admin has role admin and the configured password hash.
    public static func decideEnsureAdmin(passwordHash: String, passwordMatches: Bool, now: Timestamp, _ state: State) -> [Event] {
        guard state.isActive else { return [] }
        var events: [Event] = []
        if state.role != .admin { events.append(.roleChanged(RoleChanged(role: .admin, at: now))) }
        if !passwordMatches { events.append(.passwordChanged(PasswordChanged(passwordHash: passwordHash, at: now))) }
        return events
    }
}
