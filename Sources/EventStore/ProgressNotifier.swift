import Synchronization

/// Wakes tasks waiting for a position to be reached: the log's writer publishes every commit,
/// the projection runner every applied batch, so subscriptions and read-your-writes waits
/// never poll.
public final class ProgressNotifier: Sendable {
    private struct Waiter {
        let target: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var head: UInt64
        var closed = false
        var nextId = 0
        var waiters: [Int: Waiter] = [:]
    }

    private let state: Mutex<State>

    public init(head: UInt64) {
        state = Mutex(State(head: head))
    }

    public var head: UInt64 { state.withLock { $0.head } }

    /// Returns once the committed head is at least `position`, the notifier closes, or the
    /// calling task is cancelled.
    public func wait(untilAtLeast position: UInt64) async {
        let id = state.withLock { s -> Int in
            s.nextId += 1
            return s.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.head >= position || s.closed || Task.isCancelled { return true }
                    s.waiters[id] = Waiter(target: position, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    public func publish(head: UInt64) {
        let ready = state.withLock { s -> [Waiter] in
            s.head = max(s.head, head)
            let due = s.waiters.filter { $0.value.target <= s.head }
            for key in due.keys { s.waiters.removeValue(forKey: key) }
            return Array(due.values)
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    public func close() {
        let all = state.withLock { s -> [Waiter] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in all { waiter.continuation.resume() }
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until `position` is reached; false when `timeout` passed first.
    public func wait(untilAtLeast position: UInt64, timeout: Duration) async -> Bool {
        if head >= position { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait(untilAtLeast: position)
                return self.head >= position
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || self.head >= position
        }
    }
}
