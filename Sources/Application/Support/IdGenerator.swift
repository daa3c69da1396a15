import CryptoPrimitives
import Domain
import Synchronization

/// Mints the opaque, time-ordered ids of API.md (`userId`, `orderId`, `paymentId`, …).
public protocol IdGenerator: Sendable {
    func next() -> String
}

/// ULIDs (26 Crockford base32 characters: 48-bit milliseconds, 80 random bits), monotonic
/// within a millisecond so ids sort in creation order even from one busy process.
public final class ULIDGenerator: IdGenerator {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private let clock: any AppClock
    private let state = Mutex<(millis: Int64, random: (UInt16, UInt64))>((0, (0, 0)))

    public init(clock: any AppClock = SystemClock()) {
        self.clock = clock
    }

    public func next() -> String {
        let now = clock.now().millis
        let (millis, high, low) = state.withLock { s -> (Int64, UInt16, UInt64) in
            if now > s.millis {
                let bytes = (try? SecureRandom.pooledBytes(10)) ?? [UInt8](repeating: 0, count: 10)
                s.millis = now
                s.random.0 = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
                s.random.1 = bytes[2...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            } else {
                // Same (or earlier) millisecond: increment the random part to stay ordered.
                let (low, carry) = s.random.1.addingReportingOverflow(1)
                s.random.1 = low
                if carry { s.random.0 &+= 1 }
            }
            return (s.millis, s.random.0, s.random.1)
        }
        return Self.encode(millis: UInt64(max(0, millis)), high: high, low: low)
    }

    /// Crockford base32 of the 128 bits `millis (48) ‖ high (16) ‖ low (64)`, five bits a
    /// character from the top, written straight into the string (ids are minted two or three
    /// per request; building each through arrays of bits cost three allocations).
    static func encode(millis: UInt64, high: UInt16, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 26) { chars in
            var time = millis
            for i in stride(from: 9, through: 0, by: -1) {
                chars[i] = alphabet[Int(time & 31)]
                time >>= 5
            }
            // The 80 random bits shift right five at a time, the high part's bits moving into
            // the low word's top.
            var high = high
            var low = low
            for i in stride(from: 25, through: 10, by: -1) {
                chars[i] = alphabet[Int(low & 31)]
                low = low >> 5 | UInt64(high & 31) << 59
                high >>= 5
            }
            return 26
        }
    }
}

/// Predictable ids for tests: `<prefix>0001`, `<prefix>0002`, …
public final class SequentialIdGenerator: IdGenerator {
    private let counter = Atomic<Int>(0)
    private let prefix: String

    public init(prefix: String = "ID") {
        self.prefix = prefix
    }

    public func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let digits = String(n)
        return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
