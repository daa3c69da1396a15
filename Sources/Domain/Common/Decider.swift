/// What every aggregate of the domain shares: a state folded, event by event, from its stream,
/// and its place in `DomainEvent`. Each decider (`Product`, `Sku`, `Cart`, `Order`, `Account`, …)
/// writes one fold, in place; its `decide` functions differ too much in what they take to share
/// a shape, so they are not part of this protocol.
///
/// The fold is written in place because its users own the state they fold into — the command
/// processor's cache, a read model's document — and a fold that took a state and returned a new
/// one copied every field (a retain of each string and array) per event.
public protocol Decider {
    associatedtype State: Sendable
    associatedtype Event: Sendable

    /// The state of a stream with no events.
    static var initialState: State { get }

    /// Applies one event. Never fails: an event in the log happened; deciding whether it may
    /// happen is `decide`'s work, before it is written.
    static func evolve(_ state: inout State, _ event: Event)

    /// This decider's event out of the domain-wide type; nil for another decider's.
    static func extract(_ event: DomainEvent) -> Event?

    /// One of its events as the domain-wide type.
    static func wrap(_ event: Event) -> DomainEvent
}

extension Decider {
    /// `state` with `event` applied, for callers that keep the state they started from.
    public static func evolve(_ state: State, _ event: Event) -> State {
        var next = state
        evolve(&next, event)
        return next
    }

    /// The state `events` fold to from `initialState`; other deciders' events are passed over.
    public static func fold(_ events: some Sequence<DomainEvent>) -> State {
        var state = initialState
        for event in events {
            if let own = extract(event) { evolve(&state, own) }
        }
        return state
    }
}
