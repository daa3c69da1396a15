import Application
import Foundation
import Testing

@Suite struct MemoryAllocatorTests {
    /// Linking jemalloc is not enough: it must come before glibc, or `malloc` stays glibc's.
    @Test func jemallocServesMalloc() {
        #expect(MemoryAllocator.servesMalloc)
        #expect(MemoryAllocator.description.hasPrefix("jemalloc 5."))
    }

    /// The options compiled into every executable (`CJemallocOptions`) reach jemalloc: defining
    /// `malloc_conf` in a target nothing imports still links it, and jemalloc reads it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MALLOC_CONF"] == nil, "MALLOC_CONF overrides the compiled-in options"))
    func hugePagesAreAsked() {
        // Unread, the option would be "default". jemalloc reports "not supported" instead of
        // what it was asked where the kernel has no transparent huge pages at all.
        let mode = MemoryAllocator.hugePages
        #expect(mode == "always" || mode == "not supported")
        #expect(MemoryAllocator.description.hasSuffix("(thp: \(mode ?? "unknown"))"))
    }
}
