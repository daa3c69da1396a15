import Application
import Testing

@Suite struct MemoryAllocatorTests {
    /// Linking jemalloc is not enough: it must come before glibc, or `malloc` stays glibc's.
    @Test func jemallocServesMalloc() {
        #expect(MemoryAllocator.servesMalloc)
        #expect(MemoryAllocator.description.hasPrefix("jemalloc 5."))
    }
}
