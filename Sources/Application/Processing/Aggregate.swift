import Domain

/// An aggregate as the processor handles it: how to fold its events and pick them out of the
/// domain-wide event type. One conformance per decider of the domain.
protocol Aggregate {
    associatedtype State: Codable & Sendable
    associatedtype Event: Sendable
    static var initialState: State { get }
    static func evolve(_ state: State, _ event: Event) -> State
    /// `evolve` in place: folding into a state the caller owns copies none of its fields (a
    /// copy retains each string and array and releases them again).
    static func evolve(_ state: inout State, _ event: Event)
    static func extract(_ event: DomainEvent) -> Event?
    static func wrap(_ event: Event) -> DomainEvent
    /// Bumped when `State`'s shape changes, so old snapshots are ignored, not misread.
    static var snapshotSchema: Int { get }
}

extension Aggregate {
    static var snapshotSchema: Int { 1 }

    static func evolve(_ state: inout State, _ event: Event) {
        state = evolve(state, event)
    }
}

enum ProductAggregate: Aggregate {
    static var initialState: Product.State { Product.initialState }
    static func evolve(_ state: Product.State, _ event: Product.Event) -> Product.State { Product.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> Product.Event? { if case .product(let e) = event { e } else { nil } }
    static func wrap(_ event: Product.Event) -> DomainEvent { .product(event) }
}

enum SkuAggregate: Aggregate {
    static var initialState: Sku.State { Sku.initialState }
    static func evolve(_ state: Sku.State, _ event: Sku.Event) -> Sku.State { Sku.evolve(state, event) }
    static func evolve(_ state: inout Sku.State, _ event: Sku.Event) { Sku.evolve(&state, event) }
    static func extract(_ event: DomainEvent) -> Sku.Event? { if case .sku(let e) = event { e } else { nil } }
    static func wrap(_ event: Sku.Event) -> DomainEvent { .sku(event) }
}

enum CartAggregate: Aggregate {
    static var initialState: Cart.State { Cart.initialState }
    static func evolve(_ state: Cart.State, _ event: Cart.Event) -> Cart.State { Cart.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> Cart.Event? { if case .cart(let e) = event { e } else { nil } }
    static func wrap(_ event: Cart.Event) -> DomainEvent { .cart(event) }
}

enum OrderAggregate: Aggregate {
    static var initialState: Order.State { Order.initialState }
    static func evolve(_ state: Order.State, _ event: Order.Event) -> Order.State { Order.evolve(state, event) }
    static func evolve(_ state: inout Order.State, _ event: Order.Event) { Order.evolve(&state, event) }
    static func extract(_ event: DomainEvent) -> Order.Event? { if case .order(let e) = event { e } else { nil } }
    static func wrap(_ event: Order.Event) -> DomainEvent { .order(event) }
}

enum AccountAggregate: Aggregate {
    static var initialState: Account.State { Account.initialState }
    static func evolve(_ state: Account.State, _ event: Account.Event) -> Account.State { Account.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> Account.Event? { if case .account(let e) = event { e } else { nil } }
    static func wrap(_ event: Account.Event) -> DomainEvent { .account(event) }
}

enum UsernameClaimAggregate: Aggregate {
    static var initialState: UsernameClaim.State { UsernameClaim.initialState }
    static func evolve(_ state: UsernameClaim.State, _ event: UsernameClaim.Event) -> UsernameClaim.State { UsernameClaim.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> UsernameClaim.Event? { if case .usernameClaim(let e) = event { e } else { nil } }
    static func wrap(_ event: UsernameClaim.Event) -> DomainEvent { .usernameClaim(event) }
}

enum WeChatLinkAggregate: Aggregate {
    static var initialState: WeChatLink.State { WeChatLink.initialState }
    static func evolve(_ state: WeChatLink.State, _ event: WeChatLink.Event) -> WeChatLink.State { WeChatLink.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> WeChatLink.Event? { if case .wechatLink(let e) = event { e } else { nil } }
    static func wrap(_ event: WeChatLink.Event) -> DomainEvent { .wechatLink(event) }
}

enum SupportAggregate: Aggregate {
    static var initialState: Support.State { Support.initialState }
    static func evolve(_ state: Support.State, _ event: Support.Event) -> Support.State { Support.evolve(state, event) }
    static func extract(_ event: DomainEvent) -> Support.Event? { if case .support(let e) = event { e } else { nil } }
    static func wrap(_ event: Support.Event) -> DomainEvent { .support(event) }
}
