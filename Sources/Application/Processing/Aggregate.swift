import Domain

/// A decider as the processor stores it: its state kept in snapshots (so `Codable`), under a
/// schema number. Every decider of the domain is one.
protocol Aggregate: Decider where State: Codable {
    /// Bumped when `State`'s shape changes, so old snapshots are ignored, not misread.
    static var snapshotSchema: Int { get }
}

extension Aggregate {
    static var snapshotSchema: Int { 1 }
}

extension Product: Aggregate {}
extension Sku: Aggregate {}
extension Cart: Aggregate {}
extension Order: Aggregate {}
extension Account: Aggregate {}
extension UsernameClaim: Aggregate {}
extension WeChatLink: Aggregate {}
extension Support: Aggregate {}
