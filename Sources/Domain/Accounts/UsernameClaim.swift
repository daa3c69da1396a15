/// Who holds a username. Stream `username-<keyed hash of the lowercased name>`: the append
/// that registers a user claims it conditionally, so two registrations of one name cannot
/// both succeed; erasure releases it.
public enum UsernameClaim: Decider {
    public struct Claimed: EventPayload, Equatable {
        public static let typeName = "UsernameClaimed"
        public let userId: String
    }

    public struct Released: EventPayload, Equatable {
        public static let typeName = "UsernameReleased"
        public let userId: String
    }

    public enum Event: Sendable, Equatable {
        case claimed(Claimed)
        case released(Released)
    }

    public struct State: Sendable, Equatable, Codable {
        public var owner: String?
        public init() {}
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .claimed(let e): s.owner = e.userId
        case .released: s.owner = nil
        }
    }
}

/// Which account a WeChat openid signs in to. Stream `wechat-<keyed hash of the openid>`.
public enum WeChatLink: Decider {
    public struct Linked: EventPayload, Equatable {
        public static let typeName = "WeChatLinked"
        public let userId: String
    }

    public struct Unlinked: EventPayload, Equatable {
        public static let typeName = "WeChatUnlinked"
        public let userId: String
    }

    public enum Event: Sendable, Equatable {
        case linked(Linked)
        case unlinked(Unlinked)
    }

    public struct State: Sendable, Equatable, Codable {
        public var userId: String?
        public init() {}
    }

    public static let initialState = State()

    public static func evolve(_ s: inout State, _ event: Event) {
        switch event {
        case .linked(let e): s.userId = e.userId
        case .unlinked: s.userId = nil
        }
    }

    public static func link(userId: String) -> Event { .linked(Linked(userId: userId)) }
}
