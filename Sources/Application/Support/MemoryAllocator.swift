import CJemalloc
#if canImport(Glibc)
import Glibc
#endif

/// The process's memory allocator: jemalloc, linked (through `CJemalloc`) ahead of glibc, so
/// every `malloc` of the process — Swift's runtime included — goes to it.
///
/// Why: a command is allocated on a caller's thread and freed on the writer's, an event the
/// other way round; glibc's arenas take those cross-thread frees back under a lock and
/// consolidate, which was ~14 % of the writer thread. The README has the alternated
/// measurements that chose it.
public enum MemoryAllocator {
    /// `jemalloc 5.3.0 (thp: always)`, or `glibc malloc` when jemalloc is linked but not
    /// serving `malloc`.
    public static var description: String {
        guard let version = jemallocVersion else { return "glibc malloc" }
        guard servesMalloc else { return "glibc malloc (jemalloc \(version) linked, not serving malloc)" }
        return "jemalloc \(version) (thp: \(hugePages ?? "unknown"))"
    }

    /// jemalloc's `opt.thp`: `always` from the options compiled in (`CJemallocOptions`), unless
    /// `MALLOC_CONF` said otherwise.
    public static var hugePages: String? {
        var value: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("opt.thp", &value, &size, nil, 0) == 0, let value else { return nil }
        return String(cString: value)
    }

    /// Whether the process's `malloc` is jemalloc's: the `malloc` the dynamic linker hands out
    /// moves jemalloc's per-thread allocation counter. (Called through the looked-up pointer:
    /// the optimizer removes a direct `malloc` whose block is never used.)
    public static var servesMalloc: Bool {
        typealias Allocate = @convention(c) (Int) -> UnsafeMutableRawPointer?
        guard let symbol = dlsym(nil, "malloc"), let before = allocatedByThisThread else { return false }
        let allocate = unsafeBitCast(symbol, to: Allocate.self)
        let block = allocate(1 << 16)
        defer { free(block) }
        guard let after = allocatedByThisThread else { return false }
        return after > before
    }

    private static var jemallocVersion: String? {
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return nil }
        // `5.3.0-0-g54eaed1…`: the release is enough.
        return String(cString: version).split(separator: "-").first.map(String.init)
    }

    private static var allocatedByThisThread: UInt64? {
        var allocated: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        guard mallctl("thread.allocated", &allocated, &size, nil, 0) == 0 else { return nil }
        return allocated
    }
}
