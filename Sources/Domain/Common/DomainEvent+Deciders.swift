/// Each decider's case of `DomainEvent` (see `Decider.extract` and `wrap`).
extension Product {
    public static func extract(_ event: DomainEvent) -> Event? { if case .product(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .product(event) }
}

extension Sku {
    public static func extract(_ event: DomainEvent) -> Event? { if case .sku(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .sku(event) }
}

extension Cart {
    public static func extract(_ event: DomainEvent) -> Event? { if case .cart(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .cart(event) }
}

extension Order {
    public static func extract(_ event: DomainEvent) -> Event? { if case .order(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .order(event) }
}

extension Account {
    public static func extract(_ event: DomainEvent) -> Event? { if case .account(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .account(event) }
}

extension UsernameClaim {
    public static func extract(_ event: DomainEvent) -> Event? { if case .usernameClaim(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .usernameClaim(event) }
}

extension WeChatLink {
    public static func extract(_ event: DomainEvent) -> Event? { if case .wechatLink(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .wechatLink(event) }
}

extension Support {
    public static func extract(_ event: DomainEvent) -> Event? { if case .support(let e) = event { e } else { nil } }
    public static func wrap(_ event: Event) -> DomainEvent { .support(event) }
}
