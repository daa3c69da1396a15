import Synchronization

/// Wakes tasks waiting for the log to reach a position: the writer publishes every commit, so
/// subscriptions and read-your-writes waits never poll.
final class CommitNotifier: Sendable {
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

    init(head: UInt64) {
        state = Mutex(State(head: head))
    }

    var head: UInt64 { state.withLock { $0.head } }

    /// Returns once the committed head is at least `position`, the notifier closes, or the
    /// calling task is cancelled.
    func wait(untilAtLeast position: UInt64) async {
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

    func publish(head: UInt64) {
        let ready = state.withLock { s -> [Waiter] in
            s.head = max(s.head, head)
            let due = s.waiters.filter { $0.value.target <= s.head }
            for key in due.keys { s.waiters.removeValue(forKey: key) }
            return Array(due.values)
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    func close() {
        let all = state.withLock { s -> [Waiter] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in all { waiter.continuation.resume() }
    }

    var isClosed: Bool { state.withLock { $0.closed } }
}
