import CryptoPrimitives
import EventStore

/// PBKDF2-HMAC-SHA256 password hashes: random salt, iteration count stored with the hash
/// (`pbkdf2-sha256$<iterations>$<salt>$<hash>`), constant-time comparison, run on a bounded
/// pool. An unknown username costs the same as a wrong password (`burnEquivalentWork`).
public struct PasswordHasher: Sendable {
    public let iterations: Int
    let pool: ThreadPool

    public init(iterations: Int, pool: ThreadPool) {
        self.iterations = max(1, iterations)
        self.pool = pool
    }

    public func hash(_ password: String) async throws -> String {
        let salt = try SecureRandom.bytes(16)
        let iterations = self.iterations
        let derived = await pool.run { PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations) }
        return "pbkdf2-sha256$\(iterations)$\(Base64URL.encode(salt))$\(Base64URL.encode(derived))"
    }

    public func verify(_ password: String, against encoded: String) async -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations > 0,
              let salt = Base64URL.decode(String(parts[2])), let expected = Base64URL.decode(String(parts[3]))
        else {
            await burnEquivalentWork(password)
            return false
        }
        let derived = await pool.run { PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations, length: expected.count) }
        return ConstantTime.equals(derived, expected)
    }

    /// The same work as checking a password, for unknown users (no timing oracle for names).
    public func burnEquivalentWork(_ password: String) async {
        let iterations = self.iterations
        _ = await pool.run { PBKDF2.deriveKey(password: Array(password.utf8), salt: Array("orderlog-dummy-salt".utf8), iterations: iterations) }
    }

    /// True when `encoded` was made with this hasher's iteration count (else rehash on login).
    public func isCurrent(_ encoded: String) -> Bool {
        encoded.split(separator: "$").dropFirst().first.map { Int($0) == iterations } ?? false
    }
}
