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
        var chars = [UInt8](repeating: 0, count: 26)
        var time = UInt64(max(0, millis))
        for i in stride(from: 9, through: 0, by: -1) {
            chars[i] = Self.alphabet[Int(time & 31)]
            time >>= 5
        }
        // 80 random bits = 16 characters: high 16 bits then low 64 bits.
        var bits = [UInt8](repeating: 0, count: 80)
        for i in 0..<16 { bits[i] = UInt8((high >> (15 - i)) & 1) }
        for i in 0..<64 { bits[16 + i] = UInt8((low >> (63 - i)) & 1) }
        for c in 0..<16 {
            var value = 0
            for b in 0..<5 { value = value << 1 | Int(bits[c * 5 + b]) }
            chars[10 + c] = Self.alphabet[value]
        }
        return String(decoding: chars, as: UTF8.self)
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
