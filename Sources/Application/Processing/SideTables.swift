import Domain
import LMDB

/// The application's side tables in the log environment: derived or secret data written in
/// the same transaction as the events it belongs with, never hash-chained.
enum SideTables {
    /// `<userId>/<orderId>` → empty: the buyer's orders, for purchase limits and erasure;
    /// written behind the log up to the marker under `UserOrderIndex.markerKey`.
    static let userOrders = "user-orders"
    /// `<due millis BE><kind><orderId>` → empty: payment timeouts and auto-receipts to fire.
    static let deadlines = "deadlines"
    /// `<userId>/<n>` → wrapped data key (the personal-data key store).
    static let keys = "keys"
    /// Vault bookkeeping (the master-key check value).
    static let vault = "vault"

    static let all = [userOrders, deadlines, keys, vault]

    static func userOrderKey(userId: String, orderId: String) -> [UInt8] {
        Array((userId + "/" + orderId).utf8)
    }

    static func userOrdersPrefix(_ userId: String) -> [UInt8] {
        Array((userId + "/").utf8)
    }

    enum DeadlineKind: UInt8 {
        case paymentTimeout = 1
        case autoReceive = 2
    }

    static func deadlineKey(due: Timestamp, kind: DeadlineKind, orderId: String) -> [UInt8] {
        var key = BigEndian.bytes(UInt64(max(0, due.millis)))
        key.append(kind.rawValue)
        key.append(contentsOf: orderId.utf8)
        return key
    }

    static func parseDeadline(_ key: [UInt8]) -> (due: Timestamp, kind: DeadlineKind, orderId: String)? {
        guard key.count > 9, let millis = BigEndian.uint64(key), let kind = DeadlineKind(rawValue: key[8]) else { return nil }
        return (Timestamp(millis: Int64(millis)), kind, String(decoding: key[9...], as: UTF8.self))
    }
}
