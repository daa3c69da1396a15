import Application
import ArgumentParser
import CanonicalJSON
import Domain
import EventStore
import Foundation

/// `stream STREAM_ID`: the stream's events and the state the domain's own `evolve` folds
/// them to, as of a position or a time — "what did this order look like when the customer
/// complained?". Personal data is shown opened, or `[erased]`.
struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stream", abstract: "Show a stream's events and its state as of a point.")

    @OptionGroup var options: DataDirectoryOptions
    @Argument(help: "The stream id, like order-01J… or sku-S1.") var streamId: String
    @Option(help: "Only events at or before this global position.") var atPosition: UInt64?
    @Option(help: "Only events committed at or before this RFC 3339 time.") var atTime: String?
    @Flag(help: "One JSON object instead of text.") var json = false

    func validate() throws {
        if atPosition != nil && atTime != nil { throw ValidationError("give --at-position or --at-time, not both") }
        if let atTime, Timestamp(rfc3339: atTime) == nil { throw ValidationError("--at-time must be an RFC 3339 time, like 2026-11-25T08:00:00Z") }
    }

    func run() throws {
        let store = try options.openLog()
        defer { store.close() }
        let vault = try options.openVault(store)
        guard try store.head(of: streamId) != nil else { throw ToolFailure.failed("no stream \(streamId)") }
        let cutoff = atTime.flatMap { Timestamp(rfc3339: $0) }
        let events = try store.read(stream: streamId).filter { event in
            if let atPosition, event.position > atPosition { return false }
            if let cutoff, let at = Timestamp(rfc3339: event.at), at > cutoff { return false }
            return true
        }
        let state = try StateFolding.fold(streamId: streamId, events: events)
        let shown: [JSONValue] = events.map { event in
            .object(["position": .int(Int64(event.position)), "version": .int(Int64(event.version)), "type": .string(event.type),
                     "at": .string(event.at), "data": Reveal.value(event.data, vault: vault)])
        }
        let revealedState = Reveal.value(state, vault: vault)
        if json {
            let document: JSONValue = ["streamId": .string(streamId), "version": .int(Int64(events.last?.version ?? 0)),
                                       "events": .array(shown), "state": revealedState]
            print(String(decoding: document.serialized(), as: UTF8.self))
            return
        }
        let point = atPosition.map { " as of position \($0)" } ?? atTime.map { " as of \($0)" } ?? ""
        print("stream \(streamId): \(events.count) events\(point)")
        for event in shown {
            let position = event["position"]?.intValue ?? 0
            let version = event["version"]?.intValue ?? 0
            print("  v\(version) @\(position)  \(event["at"]?.stringValue ?? "")  \(event["type"]?.stringValue ?? "")  "
                  + String(decoding: (event["data"] ?? .null).serialized(), as: UTF8.self))
        }
        print("state:")
        print(Reveal.pretty(revealedState))
    }
}

/// The state of a stream, folded with the domain's own `evolve` for its category.
enum StateFolding {
    static func fold(streamId: String, events: [RecordedEvent]) throws -> JSONValue {
        let decoded = try events.map { try DomainEvent.decode(type: $0.type, data: $0.data) }
        let encoder = JSONValueEncoder()
        switch StreamId.category(of: streamId) {
        case "product": return try encoder.encode(Product.fold(decoded))
        case "sku": return try encoder.encode(Sku.fold(decoded))
        case "cart": return try encoder.encode(Cart.fold(decoded))
        case "order": return try encoder.encode(Order.fold(decoded))
        case "user": return try encoder.encode(Account.fold(decoded))
        case "username": return try encoder.encode(UsernameClaim.fold(decoded))
        case "wechat": return try encoder.encode(WeChatLink.fold(decoded))
        case "support": return try encoder.encode(Support.fold(decoded))
        default: return .null
        }
    }
}

/// Replaces sealed personal data with its clear text (or `[erased]`), and hides credentials.
enum Reveal {
    static func value(_ value: JSONValue, vault: PersonalDataVault?, key: String? = nil) -> JSONValue {
        switch value {
        case .object(let members) where Set(members.keys) == ["keyId", "nonce", "ciphertext"]:
            guard let vault, let keyId = members["keyId"]?.stringValue, let nonce = members["nonce"]?.stringValue,
                  let ciphertext = members["ciphertext"]?.stringValue
            else { return "[sealed: no master key]" }
            let text = vault.open(Sealed(keyId: keyId, nonce: nonce, ciphertext: ciphertext))
            if key == "address" {
                if text == Sealed.erasedText, let erased = try? JSONValueEncoder().encode(ShippingAddress.erased) { return erased }
                if let parsed = try? JSONParser.parse(Array(text.utf8)) { return parsed }
            }
            return .string(text)
        case .object(let members):
            var revealed: [String: JSONValue] = [:]
            for (name, member) in members {
                revealed[name] = name == "passwordHash" && member != .null ? "[redacted]" : Self.value(member, vault: vault, key: name)
            }
            return .object(revealed)
        case .array(let elements):
            return .array(elements.map { Self.value($0, vault: vault, key: key) })
        default:
            return value
        }
    }

    static func pretty(_ value: JSONValue) -> String {
        let bytes = value.serialized()
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }
}
