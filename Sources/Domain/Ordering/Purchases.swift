/// What a buyer has ordered, for per-user purchase limits: units per sku over the buyer's
/// orders that are not cancelled or refunded.
public enum Purchases {
    public static func units(in orders: [Order.State]) -> [String: Int] {
        var units: [String: Int] = [:]
        for order in orders where order.exists && order.status.countsTowardPurchases {
            for line in order.lines { units[line.skuId, default: 0] += line.quantity }
        }
        return units
    }
}
