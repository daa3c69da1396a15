import Domain

/// Who the users are, for admin views (the support inbox shows usernames): sealed usernames,
/// roles, erasure. Sign-in never reads this (it reads the command side).
///
/// - `users`: userId → `UserDocument`
public struct AccountsProjection: Projection {
    public let name = "accounts"
    public let databases = ["users"]

    public init() {}

    public struct UserDocument: Codable, Sendable, Equatable {
        public let userId: String
        public var username: Sealed?
        public var role: Role
        public var erased: Bool
    }

    public func apply(_ projected: ProjectedEvent, _ context: ProjectionContext) throws {
        guard case .account(let event) = projected.event else { return }
        let userId = projected.entityId
        switch event {
        case .registered(let e):
            try context.setDocument(UserDocument(userId: userId, username: e.username, role: e.role, erased: false), "users", userId)
        case .roleChanged(let e):
            try context.update(UserDocument.self, "users", userId) { $0.role = e.role }
        case .erased:
            try context.update(UserDocument.self, "users", userId) { user in
                user.username = user.username.map { _ in Sealed.scrubbed }
                user.erased = true
            }
        case .passwordChanged, .tokensRevoked:
            return
        }
    }
}

extension AccountsProjection.UserDocument: StoredDocumentReadable {
    /// Read in place for each conversation an agent lists (the decoder decides what this refuses).
    public static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self {
        let document = try StoredObject(bytes, path: "UserDocument")
        return Self(userId: try document.string("userId"),
                    username: try document.optionalObject("username").map { (sealed) throws(StoredShapeError) in try Sealed(stored: sealed) },
                    role: try document.rawValue("role", as: Role.self), erased: try document.bool("erased"))
    }
}
