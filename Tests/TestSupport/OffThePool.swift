import Foundation

/// Runs blocking work (waiting for a child process, reading its pipes) on a thread of its own
/// and resumes the caller when it is done.
///
/// Why: Swift's cooperative pool has one thread per core — two here. A test that blocks one of
/// them for the 30 s a schemathesis run takes, while another test blocks the other, starves
/// every in-process server of the test run (the fake WeChat, the Hummingbird test apps): their
/// handlers never get a thread and their clients time out. Blocking belongs on its own thread.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = "test-blocking"
        thread.start()
    }
}

/// Carries a value that is only touched by one thread at a time across an isolation boundary.
public struct Handed<T>: @unchecked Sendable {
    public let value: T
    public init(value: T) { self.value = value }
}

extension Process {
    /// Waits for the process to exit, off the cooperative pool; returns its exit status.
    public func exitStatus() async -> Int32 {
        let process = Handed(value: self)
        return (try? await offThePool {
            process.value.waitUntilExit()
            return process.value.terminationStatus
        }) ?? -1
    }
}
