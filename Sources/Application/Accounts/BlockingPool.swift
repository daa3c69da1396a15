import Foundation

/// A few dedicated threads for CPU-heavy blocking work (PBKDF2), so it neither stalls the
/// cooperative pool the HTTP server runs on nor the writer, and its concurrency stays bounded.
public final class BlockingPool: @unchecked Sendable {
    // @unchecked: `queue` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var stopping = false

    public init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.loop() }
            thread.name = "orderlog-pool-\(index)"
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
