#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A writer-preferring reader/writer lock that guards the memory map against resizing.
///
/// LMDB may only change an environment's map size while no transaction of this process is
/// open, and it does not check that itself. Every transaction holds this lock shared; the
/// resize holds it exclusively. Writer preference keeps a steady stream of readers from
/// starving a resize.
@usableFromInline
final class ResizeLock: @unchecked Sendable {
    // Safe: the pthread lock is heap-allocated once and never moved; pthread is thread-safe.
    @usableFromInline let lock: UnsafeMutablePointer<pthread_rwlock_t>

    @usableFromInline init() {
        lock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    @inlinable func lockShared() { pthread_rwlock_rdlock(lock) }
    @inlinable func unlock() { pthread_rwlock_unlock(lock) }

    @inlinable func withShared<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    @inlinable func withExclusive<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
