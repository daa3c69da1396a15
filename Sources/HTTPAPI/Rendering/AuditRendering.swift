import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Events for the audit routes: the record as stored, except that credentials never leave
/// the server (password hashes read `[redacted]`; personal data stays the ciphertext it is).
enum AuditRendering {
    static let credentialMembers: Set<String> = ["passwordHash"]

    static func event(_ recorded: RecordedEvent) -> JSONValue {
        guard case .object(var record) = recorded.jsonValue else { return recorded.jsonValue }
        if case .object(var data) = recorded.data {
            for key in credentialMembers where data[key] != nil && data[key] != .null { data[key] = "[redacted]" }
            record["data"] = .object(data)
        }
        return .object(record)
    }
}
