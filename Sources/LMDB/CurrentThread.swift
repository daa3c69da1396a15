#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread for `top -H`, `perf` and gdb. Foundation's `Thread.name` does not
/// reach the kernel on Linux and Glibc's module hides `pthread_setname_np`, so the thread writes
/// its own `/proc/thread-self/comm` (the kernel keeps 15 bytes).
public func nameCurrentThread(_ name: String) {
    #if canImport(Glibc)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    #endif
}

/// Asks the kernel to favour the calling thread by `niceness` (negative: more CPU share, sooner
/// wake-ups). Best effort: without CAP_SYS_NICE the call fails and the thread keeps the default.
@discardableResult
public func raiseCurrentThreadPriority(by niceness: Int32) -> Bool {
    #if canImport(Glibc)
    // On Linux the nice value belongs to the thread, and `who == 0` names the calling thread.
    return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, -niceness) == 0
    #else
    return false
    #endif
}

/// CPU seconds (user + system) the calling thread has used so far; NaN where the platform
/// cannot tell. For pipelines of threads (a rebuild's reading and applying threads): which one
/// is busy all the time sets the rate, and whole-process figures cannot show it.
public func currentThreadCPUSeconds() -> Double {
    #if canImport(Glibc)
    var time = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return .nan }
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    #else
    return .nan
    #endif
}
