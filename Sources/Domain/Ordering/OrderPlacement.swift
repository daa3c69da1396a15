/// Placing an order: one decision over the order, every sku it takes, their products, the
/// buyer's purchases and (on checkout) the cart, appended atomically — all lines reserved, or
/// none.
public enum OrderPlacement {
    public static let maxLines = 50

    public struct Command: Sendable {
        public let orderId: String
        public let userId: String
        /// Nil: check out the whole cart.
        public let lines: [RequestedLine]?
        public let address: Sealed
        public let note: Sealed?
        public let now: Timestamp
        public let payBy: Timestamp

        public init(orderId: String, userId: String, lines: [RequestedLine]?, address: Sealed, note: Sealed?, now: Timestamp, payBy: Timestamp) {
            self.orderId = orderId
            self.userId = userId
            self.lines = lines
            self.address = address
            self.note = note
            self.now = now
            self.payBy = payBy
        }
    }

    /// The states the decision reads. The skus and products are the handful an order's lines
    /// name, so they are kept as lists and found by comparing ids: a dictionary hashed each id
    /// on every lookup — a dozen SipHash computations an order on the writer, where a short id
    /// compares in a word or two.
    public struct Context: Sendable {
        /// Each sku under the id a line asked for (a sku that does not exist has no id of its
        /// own). Ids and states apart, so a scan over the ids never touches (copies) a state.
        private var skuIds: [String] = []
        private(set) var skus: [Sku.State] = []
        private var productIds: [String] = []
        private(set) var products: [Product.State] = []
        /// Units of each sku in the buyer's orders that are not cancelled or refunded.
        public var purchases: [String: Int]
        public let cart: Cart.State

        public init(cart: Cart.State, purchases: [String: Int] = [:]) {
            self.cart = cart
            self.purchases = purchases
        }

        public init(skus: [String: Sku.State], products: [String: Product.State], purchases: [String: Int], cart: Cart.State) {
            self.init(cart: cart, purchases: purchases)
            for (id, sku) in skus { add(sku: sku, as: id) }
            for (id, product) in products { add(product: product, as: id) }
        }

        public mutating func add(sku: Sku.State, as id: String) {
            skuIds.append(id)
            skus.append(sku)
        }

        public mutating func add(product: Product.State, as id: String) {
            productIds.append(id)
            products.append(product)
        }

        public func hasSku(_ id: String) -> Bool { skuIds.contains(id) }
        public func hasProduct(_ id: String) -> Bool { productIds.contains(id) }

        /// Whether any of the skus limits what one buyer may order (then `purchases` is needed).
        public var limitsPurchases: Bool {
            for index in skus.indices where skus[index].limitPerUser != nil { return true }
            return false
        }

        func skuIndex(_ id: String) -> Int? { skuIds.firstIndex(of: id) }
        func productIndex(_ id: String) -> Int? { productIds.firstIndex(of: id) }
    }

    public struct Outcome: Sendable, Equatable {
        public let order: [Order.Event]
        public let stock: [StockMove]
        public let cart: [Cart.Event]
    }

    /// The lines a command asks for: its own, or the cart's.
    public static func requestedLines(_ command: Command, cart: Cart.State) -> [RequestedLine] {
        command.lines ?? cart.lines.map { RequestedLine(skuId: $0.skuId, quantity: $0.quantity) }
    }

    /// Checks, in API.md's order: empty cart, unknown sku (404), then 409s — not orderable,
    /// purchase limit, out of stock — each naming every offending sku.
    public static func decide(_ command: Command, _ context: Context) throws(Rejection) -> Outcome {
        let requested = requestedLines(command, cart: context.cart)
        if command.lines == nil && requested.isEmpty { throw .emptyCart }
        var errors: [FieldError] = []
        if requested.isEmpty || requested.count > maxLines {
            errors.append(FieldError("items", "an order has 1–\(maxLines) lines"))
        }
        // Duplicates by scanning the lines before: an order has at most `maxLines`, and filling
        // a `Set` cost an allocation and a hash per line on the writer. Only a request already
        // refused for its length fills the `Set` (a scan would be quadratic in what was sent).
        var seen = Set<String>()
        for (index, line) in requested.enumerated() {
            if !(1...Cart.maxLineQuantity).contains(line.quantity) {
                errors.append(FieldError("items[\(index)].quantity", "must be 1–\(Cart.maxLineQuantity)"))
            }
            let repeated = requested.count > maxLines
                ? !seen.insert(line.skuId).inserted
                : requested[..<index].contains { $0.skuId == line.skuId }
            if repeated {
                errors.append(FieldError("items[\(index)].skuId", "sku \(line.skuId) appears twice"))
            }
        }
        if !errors.isEmpty { throw .validationFailed(errors) }

        // Each line's sku and product as their places in the context, found once and then read
        // in place: a state bound to a name is a copy (a retain of each of its strings).
        var places: [(sku: Int, product: Int?)] = []
        places.reserveCapacity(requested.count)
        for line in requested {
            guard let sku = context.skuIndex(line.skuId), context.skus[sku].exists else { throw .notFound(resource: "sku", id: line.skuId) }
            places.append((sku, context.productIndex(context.skus[sku].productId)))
        }
        var notOrderable: [String] = []
        for (index, line) in requested.enumerated() {
            if let product = places[index].product, context.products[product].exists, context.products[product].listed { continue }
            notOrderable.append(line.skuId)
        }
        if !notOrderable.isEmpty { throw .notOrderable(skuIds: notOrderable) }

        var overLimit: [String] = []
        var limitDetails: [String] = []
        for (index, line) in requested.enumerated() {
            guard let limit = context.skus[places[index].sku].limitPerUser else { continue }
            let already = context.purchases[line.skuId] ?? 0
            if already + line.quantity > limit {
                overLimit.append(line.skuId)
                limitDetails.append("sku \(line.skuId) allows \(limit) per customer, \(already) already ordered, \(line.quantity) requested")
            }
        }
        if !overLimit.isEmpty { throw .purchaseLimitExceeded(skuIds: overLimit, detail: limitDetails.joined(separator: "; ")) }

        var short: [String] = []
        var shortDetails: [String] = []
        for (index, line) in requested.enumerated() {
            let available = context.skus[places[index].sku].available
            if available < Int64(line.quantity) {
                short.append(line.skuId)
                shortDetails.append("sku \(line.skuId) has \(available) available, \(line.quantity) requested")
            }
        }
        if !short.isEmpty { throw .outOfStock(skuIds: short, detail: shortDetails.joined(separator: "; ")) }

        var lines: [OrderLine] = []
        var total: Int64 = 0
        var stock: [StockMove] = []
        for (index, line) in requested.enumerated() {
            // Every line has its product here: one without was refused as not orderable.
            guard let product = places[index].product else { continue }
            let sku = places[index].sku
            let priceCents = context.skus[sku].priceCents
            let (lineTotal, overflow) = priceCents.multipliedReportingOverflow(by: Int64(line.quantity))
            let (newTotal, overflowTotal) = total.addingReportingOverflow(lineTotal)
            guard !overflow, !overflowTotal, newTotal <= maxSafeInteger else {
                throw .validationFailed([FieldError("items", "the order total exceeds \(maxSafeInteger) cents")])
            }
            total = newTotal
            lines.append(OrderLine(skuId: context.skus[sku].skuId, productId: context.products[product].productId, title: context.products[product].title,
                                   specs: context.skus[sku].specs, priceCents: priceCents, quantity: line.quantity, lineTotalCents: lineTotal))
            stock.append(StockMove(skuId: context.skus[sku].skuId, event: .reserved(Sku.Reserved(orderId: command.orderId, quantity: Int64(line.quantity)))))
        }
        let placed = Order.Placed(orderId: command.orderId, userId: command.userId, lines: lines, totalCents: total, address: command.address,
                                  note: command.note, placedAt: command.now, payBy: command.payBy, fromCart: command.lines == nil)
        let cart: [Cart.Event] = command.lines == nil ? [Cart.checkOut(orderId: command.orderId)] : []
        return Outcome(order: [.placed(placed)], stock: stock, cart: cart)
    }

    /// 2^53 − 1: the largest integer a JavaScript client reads exactly.
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991
}
