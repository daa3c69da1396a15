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
