#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a file, held for the lifetime of this object.
///
/// The kernel drops it when the process dies, even by SIGKILL, so a crashed server never
/// leaves a stale lock behind.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock or throws `.locked` at once (never waits).
    public init(path: String) throws(EventStoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .invalidArgument("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: path)
        }
        self.descriptor = fd
        self.path = path
    }

    /// True when some process holds the lock at `path` (tries to take it and lets go).
    public static func isHeld(at path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
