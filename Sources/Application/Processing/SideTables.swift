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

    /// Written byte by byte into one array: `userId + "/" + orderId` built two strings first.
    static func userOrderKey(userId: String, orderId: String) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(userId.utf8.count + 1 + orderId.utf8.count)
        key.append(contentsOf: userId.utf8)
        key.append(UInt8(ascii: "/"))
        key.append(contentsOf: orderId.utf8)
        return key
    }

    static func userOrdersPrefix(_ userId: String) -> [UInt8] {
        Array((userId + "/").utf8)
    }

    enum DeadlineKind: UInt8 {
        case paymentTimeout = 1
        case autoReceive = 2
    }

    static func deadlineKey(due: Timestamp, kind: DeadlineKind, orderId: String) -> [UInt8] {
        // Sized once: appending the kind and the id to the 8 bytes reallocated the key.
        var key: [UInt8] = []
        key.reserveCapacity(9 + orderId.utf8.count)
        BigEndian.append(UInt64(max(0, due.millis)), to: &key)
        key.append(kind.rawValue)
        key.append(contentsOf: orderId.utf8)
        return key
    }

    static func parseDeadline(_ key: [UInt8]) -> (due: Timestamp, kind: DeadlineKind, orderId: String)? {
        guard key.count > 9, let millis = BigEndian.uint64(key), let kind = DeadlineKind(rawValue: key[8]) else { return nil }
        return (Timestamp(millis: Int64(millis)), kind, String(decoding: key[9...], as: UTF8.self))
    }
}
