import CanonicalJSON
import CryptoPrimitives
import Domain
import Foundation

/// Bearer tokens: `v1.<base64url claims>.<base64url HMAC-SHA256>`, signed with the server's
/// token secret. Claims: user id, token generation (logout bumps it), issue and expiry time.
public struct TokenSigner: Sendable {
    public struct Claims: Sendable, Equatable {
        public let userId: String
        public let generation: Int
        public let issuedAt: Int64
        public let expiresAt: Int64
    }

    /// The token secret, prepared once (see `HMACSHA256.Key`).
    let mac: HMACSHA256.Key
    public let lifetimeSeconds: Int64

    public init(secret: [UInt8], lifetimeSeconds: Int64 = 7 * 86_400) {
        self.mac = HMACSHA256.Key(secret)
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// The token secret from `ORDERLOG_TOKEN_SECRET`, else `<dataDirectory>/token.secret`
    /// (random, created on first start, mode 0600).
    public static func secret(dataDirectory: String, environmentValue: String?) throws -> [UInt8] {
        if let value = environmentValue, !value.isEmpty { return Array(value.utf8) }
        let path = dataDirectory + "/token.secret"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), let bytes = Hex.decode(existing.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return bytes
        }
        let bytes = try SecureRandom.bytes(32)
        _ = FileManager.default.createFile(atPath: path, contents: Data((Hex.encode(bytes) + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return bytes
    }

    public func issue(userId: String, generation: Int, now: Timestamp) -> String {
        let issued = now.unixSeconds
        var claims: [UInt8] = []
        claims.append(contentsOf: #"{"exp":"#.utf8)
        claims.append(contentsOf: String(issued + lifetimeSeconds).utf8)
        claims.append(contentsOf: #","gen":"#.utf8)
        claims.append(contentsOf: String(generation).utf8)
        claims.append(contentsOf: #","iat":"#.utf8)
        claims.append(contentsOf: String(issued).utf8)
        claims.append(contentsOf: #","sub":""#.utf8)
        claims.append(contentsOf: userId.utf8)
        claims.append(contentsOf: #""}"#.utf8)
        let body = "v1." + Base64URL.encode(claims)
        return body + "." + Base64URL.encode(mac.authenticate(body))
    }

    /// The claims of a well-formed, correctly signed, unexpired token; nil otherwise.
    public func verify(_ token: String, now: Timestamp) -> Claims? {
        // `v1.<claims>.<signature>`: exactly two dots, found in the bytes (splitting the string
        // into substrings was a third of rejecting a forged token).
        let bytes = Array(token.utf8)
        let dot = UInt8(ascii: ".")
        guard bytes.count <= 1024, bytes.starts(with: "v1.".utf8), let second = bytes[3...].firstIndex(of: dot),
              !bytes[(second + 1)...].contains(dot),
              let signature = Base64URL.decode(String(decoding: bytes[(second + 1)...], as: UTF8.self))
        else { return nil }
        let expected = bytes.withUnsafeBytes { mac.authenticate(UnsafeRawBufferPointer(rebasing: $0[..<second])) }
        guard ConstantTime.equals(signature, expected) else { return nil }
        guard let json = Base64URL.decode(String(decoding: bytes[3..<second], as: UTF8.self)), let object = try? JSONParser.parse(json),
              case .string(let userId)? = object["sub"], case .int(let generation)? = object["gen"],
              case .int(let issued)? = object["iat"], case .int(let expires)? = object["exp"]
        else { return nil }
        guard expires > now.unixSeconds else { return nil }
        return Claims(userId: userId, generation: Int(generation), issuedAt: issued, expiresAt: expires)
    }
}
