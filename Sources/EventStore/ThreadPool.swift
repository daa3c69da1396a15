import Foundation
import LMDB

/// A few dedicated threads for blocking work, so it neither stalls Swift's cooperative pool
/// nor competes without bound: password hashing (PBKDF2) runs on one; the read-model writer,
/// whose LMDB write transactions must begin and commit on one thread, runs on another.
public final class ThreadPool: @unchecked Sendable {
    // @unchecked: `queue` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var stopping = false

    public init(threads: Int, name: String = "ol-pool") {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                nameCurrentThread("\(name)-\(index)")
                self.loop()
            }
            thread.start()
        }
    }

    /// Runs `work` on a pool thread and returns its result.
    public func run<R: Sendable>(_ work: @escaping @Sendable () -> R) async -> R {
        await withCheckedContinuation { continuation in
            condition.lock()
            queue.append { continuation.resume(returning: work()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Runs throwing `work` on a pool thread.
    public func run<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await run { Result { try work() } }.get()
    }

    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let work = queue.removeFirst()
            condition.unlock()
            work()
        }
    }
}
