import Domain

/// A decider as the processor handles it: its fold (`Decider`), and how to pick its events out
/// of the domain-wide event type and put them back. Each decider of the domain conforms here,
/// in the module that stores their states.
protocol Aggregate: Decider where State: Codable {
    static func extract(_ event: DomainEvent) -> Event?
    static func wrap(_ event: Event) -> DomainEvent
    /// Bumped when `State`'s shape changes, so old snapshots are ignored, not misread.
    static var snapshotSchema: Int { get }
}

extension Aggregate {
    static var snapshotSchema: Int { 1 }
}

extension Product: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .product(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .product(event) }
}

extension Sku: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .sku(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .sku(event) }
}

extension Cart: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .cart(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .cart(event) }
}

extension Order: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .order(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .order(event) }
}

extension Account: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .account(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .account(event) }
}

extension UsernameClaim: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .usernameClaim(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .usernameClaim(event) }
}

extension WeChatLink: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .wechatLink(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .wechatLink(event) }
}

extension Support: Aggregate {
    static func extract(_ event: DomainEvent) -> Event? { if case .support(let e) = event { e } else { nil } }
    static func wrap(_ event: Event) -> DomainEvent { .support(event) }
}
