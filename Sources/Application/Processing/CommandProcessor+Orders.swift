import CanonicalJSON
import Domain
import EventStore

/// An order with its stream version (for `ETag`).
public struct OrderSnapshot: Sendable, Codable {
    public let order: Order.State
    public let version: UInt64
}

extension CommandProcessor {
    /// Places an order: order + every sku + (on checkout) the cart + the buyer's order index
    /// and payment deadline, in one atomic append. `cartIfMatch` checks the cart's version on
    /// checkout.
    public func placeOrder(_ command: OrderPlacement.Command, cartIfMatch: UInt64? = nil, metadata: CommandMetadata,
                           idempotency: IdempotencyClaim? = nil, remember: (@Sendable (OrderSnapshot, UInt64) -> [UInt8])? = nil) async throws -> Submission<OrderSnapshot> {
        let counters = metrics
        // What depends on the command alone is made here, in the caller's task, not on the
        // single writer: the streams' ids (six concatenations an order) and the deadline's key.
        let cartStream = StreamId.cart(command.userId)
        let orderStream = StreamId.order(command.orderId)
        let skuStreams = SkuStreams(command.lines)
        let deadline = SideTableWrite(table: SideTables.deadlines, key: SideTables.deadlineKey(due: command.payBy, kind: .paymentTimeout, orderId: command.orderId),
                                      operation: .put([]))
        return try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let cart = try session.load(Cart.self, cartStream)
            if command.lines == nil { try checkVersion(cartIfMatch, cart.version) }
            let requested = OrderPlacement.requestedLines(command, cart: cart.state)
            var context = OrderPlacement.Context(cart: cart.state)
            // A cart of more lines than an order may have (carts are not bounded) is refused by
            // `decide` before it reads any sku: loading them all first would let one checkout
            // hold the writer for as long as its cart is long.
            if requested.count <= OrderPlacement.maxLines {
                for line in requested where !context.hasSku(line.skuId) {
                    let sku = try session.load(Sku.self, skuStreams.id(of: line.skuId)).state
                    if sku.exists, !context.hasProduct(sku.productId) {
                        context.add(product: try session.load(Product.self, StreamId.product(sku.productId)).state, as: sku.productId)
                    }
                    context.add(sku: sku, as: line.skuId)
                }
            }
            if context.limitsPurchases { context.purchases = try session.purchases(of: command.userId) }
            let outcome = try OrderPlacement.decide(command, context)
            try session.appendNew(Order.self, orderStream, outcome.order)
            for move in outcome.stock { try session.append(Sku.self, skuStreams.id(of: move.skuId), [move.event]) }
            try session.append(Cart.self, cartStream, outcome.cart)
            let indexed = try session.state.userOrders.addition(userId: command.userId, orderId: command.orderId, context: session.context)
            for write in indexed.writes { session.write(write) }
            session.write(deadline)
            session.touchUser(command.userId)
            let placed = try session.load(Order.self, orderStream)
            let state = session.state
            return session.decision(committed: { counters.orderPlaced() }) {
                state.userOrders.staged(indexed)
                state.recordPurchases(userId: command.userId, before: nil, after: placed.state)
                return OrderSnapshot(order: placed.state, version: placed.version)
            }
        }
    }

    /// What a customer or admin does to an existing order.
    public enum OrderAction: Sendable {
        case cancel
        case requestPayment(paymentId: String, nonceStr: String)
        case receive
        case requestRefund(reason: Sealed)
        case ship(carrier: String, trackingNumber: String)
        case decideRefund(approve: Bool)
    }

    /// `userId` restricts the action to the buyer (another user's order is not found); nil
    /// for admin actions.
    public func act(on orderId: String, _ action: OrderAction, userId: String?, ifMatch: UInt64? = nil, metadata: CommandMetadata,
                    idempotency: IdempotencyClaim? = nil, remember: (@Sendable (OrderSnapshot, UInt64) -> [UInt8])? = nil) async throws -> Submission<OrderSnapshot> {
        let now = clock.now()
        let autoReceiveDays = configuration.autoReceiveDays
        let counters = metrics
        return try await execute(metadata, idempotency: idempotency, remember: remember) { session in
            let stream = StreamId.order(orderId)
            let order = try session.load(Order.self, stream)
            guard order.state.exists, userId == nil || order.state.userId == userId else { throw Rejection.notFound(resource: "order", id: orderId) }
            try checkVersion(ifMatch, order.version)
            var decision = OrderDecision()
            switch action {
            case .cancel: decision = try Order.decideCancel(reason: .customer, now: now, order.state)
            case .requestPayment(let paymentId, let nonce):
                decision.order = try Order.decideRequestPayment(paymentId: paymentId, nonceStr: nonce, now: now, order.state)
            case .receive: decision.order = try Order.decideReceive(now: now, order.state)
            case .requestRefund(let reason): decision.order = try Order.decideRefundRequest(reason: reason, now: now, order.state)
            case .ship(let carrier, let tracking): decision.order = try Order.decideShip(carrier: carrier, trackingNumber: tracking, now: now, order.state)
            case .decideRefund(let approve): decision = try Order.decideRefund(approve: approve, now: now, order.state)
            }
            try session.apply(decision, to: order.state, autoReceiveDays: autoReceiveDays)
            session.addressedStream = stream
            let after = try session.load(Order.self, stream)
            let state = session.state
            let cancelled = after.state.status == .cancelled && order.state.status != .cancelled
            return session.decision(committed: { if cancelled { counters.ordersCancelled() } }) {
                state.recordPurchases(userId: after.state.userId, before: order.state, after: after.state)
                return OrderSnapshot(order: after.state, version: after.version)
            }
        }
    }

    /// A verified payment notification from the provider.
    public func recordPayment(orderId: String, paymentId: String, transactionId: String, amountCents: Int64, paidAt: String,
                              metadata: CommandMetadata) async throws -> Submission<OrderSnapshot> {
        let now = clock.now()
        let days = configuration.autoReceiveDays
        let counters = metrics
        return try await execute(metadata) { session in
            let stream = StreamId.order(orderId)
            let order = try session.load(Order.self, stream)
            guard order.state.exists else { throw Rejection.notFound(resource: "order", id: orderId) }
            let decision = try Order.decidePayment(paymentId: paymentId, transactionId: transactionId, amountCents: amountCents, paidAt: paidAt,
                                                   now: now, order.state)
            try session.apply(decision, to: order.state, autoReceiveDays: days)
            session.addressedStream = stream
            let after = try session.load(Order.self, stream)
            let state = session.state
            let paid = after.state.status == .paid && order.state.status == .awaitingPayment
            return session.decision(committed: { if paid { counters.orderPaid() } }) {
                state.recordPurchases(userId: after.state.userId, before: order.state, after: after.state)
                return OrderSnapshot(order: after.state, version: after.version)
            }
        }
    }

    /// Fires a due deadline (payment timeout or auto-receipt): decides, appends what is due
    /// and forgets the deadline, in one transaction. Safe to repeat.
    func fireDeadline(key: [UInt8], kind: SideTables.DeadlineKind, orderId: String, metadata: CommandMetadata) async throws -> Submission<OrderSnapshot?> {
        let now = clock.now()
        let days = configuration.autoReceiveDays
        let counters = metrics
        return try await execute(metadata) { session in
            let stream = StreamId.order(orderId)
            let order = try session.load(Order.self, stream)
            session.write(SideTableWrite(table: SideTables.deadlines, key: key, operation: .delete))
            guard order.state.exists else { return session.decision { nil } }
            var decision = OrderDecision()
            switch kind {
            case .paymentTimeout: decision = try Order.decideCancel(reason: .paymentTimeout, now: now, order.state)
            case .autoReceive: decision.order = Order.decideAutoReceive(now: now, afterDays: days, order.state)
            }
            try session.apply(decision, to: order.state, autoReceiveDays: days)
            let after = try session.load(Order.self, stream)
            let state = session.state
            let cancelled = !decision.isEmpty && kind == .paymentTimeout
            return session.decision(committed: { if cancelled { counters.ordersCancelled() } }) {
                state.recordPurchases(userId: after.state.userId, before: order.state, after: after.state)
                return OrderSnapshot(order: after.state, version: after.version)
            }
        }
    }
}

extension WriterSession {
    /// Stages an order decision: the order's events, the skus' stock moves, and the deadline
    /// bookkeeping its new status implies.
    mutating func apply(_ decision: OrderDecision, to before: Order.State, autoReceiveDays: Int) throws {
        guard !decision.isEmpty else { return }
        let stream = StreamId.order(before.orderId)
        try append(Order.self, stream, decision.order)
        for move in decision.stock { try append(Sku.self, StreamId.sku(move.skuId), [move.event]) }
        let after = try load(Order.self, stream).state
        if before.status == .awaitingPayment && after.status != .awaitingPayment {
            write(SideTableWrite(table: SideTables.deadlines, key: SideTables.deadlineKey(due: before.payBy, kind: .paymentTimeout, orderId: before.orderId),
                                 operation: .delete))
        }
        if after.status == .shipped && before.status != .shipped, let shipment = after.shipment {
            let due = shipment.shippedAt.adding(seconds: Int64(autoReceiveDays) * 86_400)
            write(SideTableWrite(table: SideTables.deadlines, key: SideTables.deadlineKey(due: due, kind: .autoReceive, orderId: before.orderId), operation: .put([])))
        }
        touchUser(before.userId)
    }

    /// Units per sku in the buyer's live orders: cached, else rebuilt from the buyer's order
    /// index and the orders' states.
    func purchases(of userId: String) throws -> [String: Int] {
        if let cached = state.purchases.get(userId) { return cached }
        let units = Purchases.units(in: try orders(of: userId))
        state.purchases.set(userId, units)
        return units
    }

    /// The buyer's orders, from the order index.
    func orders(of userId: String) throws -> [Order.State] {
        try state.userOrders.orderIds(of: userId, context: context).map { try load(Order.self, StreamId.order($0)).state }
    }
}

extension ProcessorState {
    /// Keeps a cached purchase view in step with an order's change of status.
    func recordPurchases(userId: String, before: Order.State?, after: Order.State) {
        guard var units = purchases.get(userId) else { return }
        if let before, before.exists, before.status.countsTowardPurchases {
            for line in before.lines { units[line.skuId, default: 0] -= line.quantity }
        }
        if after.status.countsTowardPurchases {
            for line in after.lines { units[line.skuId, default: 0] += line.quantity }
        }
        purchases.set(userId, units)
    }
}

extension CommandProcessor {
    /// The order as it stood at `version`, folded from its stream in the log: how a retried
    /// idempotent order command is answered (its reply is remembered as the order's id and
    /// version, ~60 bytes, instead of the whole snapshot). Nil when the stream is shorter.
    public func orderSnapshot(orderId: String, version: UInt64) throws -> OrderSnapshot? {
        guard version > 0 else { return nil }
        let recorded = try store.read(stream: StreamId.order(orderId), from: 1, limit: Int(clamping: version))
        guard UInt64(recorded.count) == version else { return nil }
        var state = Order.initialState
        for event in recorded {
            guard case .order(let orderEvent) = try DomainEvent.decode(type: event.type, data: event.data) else { return nil }
            Order.evolve(&state, orderEvent)
        }
        return OrderSnapshot(order: state, version: version)
    }
}
