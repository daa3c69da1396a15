/// Stream names, `category-id` (API.md "Event record").
public enum StreamId {
    public static func product(_ productId: String) -> String { "product-" + productId }
    public static func sku(_ skuId: String) -> String { "sku-" + skuId }
    public static func cart(_ userId: String) -> String { "cart-" + userId }
    public static func order(_ orderId: String) -> String { "order-" + orderId }
    public static func user(_ userId: String) -> String { "user-" + userId }
    /// Keyed by the HMAC of the lowercased username, never the name itself.
    public static func username(_ usernameKey: String) -> String { "username-" + usernameKey }
    /// Keyed by the HMAC of the WeChat openid.
    public static func wechat(_ openIdKey: String) -> String { "wechat-" + openIdKey }
    public static func support(_ userId: String) -> String { "support-" + userId }

    /// The category of a stream id (`order` for `order-01J…`).
    public static func category(of streamId: String) -> String {
        let utf8 = streamId.utf8
        guard let dash = utf8.firstIndex(of: UInt8(ascii: "-")) else { return streamId }
        return String(streamId[..<dash])
    }

    /// The id part of a stream id (`01J…` for `order-01J…`).
    public static func entityId(of streamId: String) -> String {
        // Found in UTF-8 code units, as in `category`: `firstIndex(of: Character)` walked
        // graphemes, a twentieth of a rebuild's reading thread.
        let utf8 = streamId.utf8
        guard let dash = utf8.firstIndex(of: UInt8(ascii: "-")) else { return "" }
        return String(streamId[utf8.index(after: dash)...])
    }
}
