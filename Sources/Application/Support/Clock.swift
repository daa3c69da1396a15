import Domain
import Foundation
import Synchronization

/// Where the application reads the time. Deciders never do; commands carry `now`.
public protocol AppClock: Sendable {
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(millis: Int64(Date().timeIntervalSince1970 * 1000)) }
}

/// A clock tests move by hand (payment timeouts without waiting half an hour).
public final class ManualClock: AppClock {
    private let current: Atomic<Int64>

    public init(_ start: Timestamp = Timestamp(millis: 1_795_593_600_000)) {
        current = Atomic(start.millis)
    }

    public func now() -> Timestamp { Timestamp(millis: current.load(ordering: .relaxed)) }

    public func advance(seconds: Int64) {
        current.add(seconds * 1000, ordering: .relaxed)
    }

    public func set(_ time: Timestamp) {
        current.store(time.millis, ordering: .relaxed)
    }
}
