import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// What an idempotent command remembers: its status and result. Processor results hold
/// personal data only sealed (an order's address), so nothing is stored in the clear; other
/// replies (sign-ins) are remembered with their body sealed under the caller's key.
struct RememberedReply: Codable {
    let status: Int
    /// A processor result, re-rendered on replay (deterministically).
    let result: JSONValue?
    /// An order command's result, as the order's id and version: on replay the order is
    /// folded from the log to that version (`CommandProcessor.orderSnapshot`) and rendered.
    /// ~60 bytes where the snapshot was ~1.5 KB, written and flushed with every keyed order.
    var orderId: String?
    var orderVersion: UInt64?
    /// A reply body sealed under its user's data key.
    let sealedBody: Sealed?
    /// A reply body without personal data.
    let body: JSONValue?
}

/// What the server remembers for an idempotent command's result, for `orderlog-bench`, which
/// places keyed orders in-process and must remember them as the server does.
public enum RememberedReplies {
    public static func bytes<R: Encodable>(for result: R, status: Int) -> [UInt8] {
        Call.rememberedBytes(result, status: status)
    }
}

extension Call {
    /// Runs a processor command with this request's idempotency claim, so a retry — even one
    /// racing the first — gets the first answer and appends nothing. `render` turns the
    /// result into the reply (also on replay, from the remembered result).
    func command<R: Codable & Sendable>(
        status: HTTPResponse.Status,
        render: @escaping @Sendable (R, UInt64) throws -> Reply,
        _ run: (IdempotencyClaim?, (@Sendable (R, UInt64) -> [UInt8])?) async throws -> Submission<R>
    ) async throws -> Reply {
        if let replayed = try replayIfRemembered(render: render) { return replayed }
        let code = status.code
        var remember: (@Sendable (R, UInt64) -> [UInt8])?
        if idempotency != nil {
            remember = { (result: R, _: UInt64) -> [UInt8] in Call.rememberedBytes(result, status: code) }
        }
        switch try await run(idempotency, remember) {
        case .completed(let result, let position):
            var reply = try render(result, position)
            reply.status = status
            return reply
        case .replayed(let bytes, let position):
            return try decodeRemembered(bytes, position: position, render: render)
        }
    }

    /// The remembered form of a processor result (encoded in the writer, so kept cheap).
    static func rememberedBytes<R: Encodable>(_ result: R, status: Int) -> [UInt8] {
        // An order's reply, the one remembered under load (flash sales), is its id and version,
        // written directly: its snapshot through `JSONValueEncoder` cost ~40 µs of the writer.
        if let order = result as? OrderSnapshot {
            return BoundedWriter.bytes(sizeHint: 96) { out in
                out.member("orderId", first: true)
                out.string(order.order.orderId)
                out.member("orderVersion")
                out.integer(order.version)
                out.member("status")
                out.integer(Int64(status))
                out.byte(UInt8(ascii: "}"))
            }
        }
        let encoded: JSONValue? = try? JSONValueEncoder().encode(result)
        let reply = RememberedReply(status: status, result: encoded, sealedBody: nil, body: nil)
        guard let value = try? JSONValueEncoder().encode(reply) else { return [] }
        return value.serialized()
    }

    private func replayIfRemembered<R: Codable & Sendable>(render: @Sendable (R, UInt64) throws -> Reply) throws -> Reply? {
        guard let claim = idempotency, let remembered = try services.store.rememberedResponse(for: claim.key) else { return nil }
        guard remembered.fingerprint == claim.fingerprint else { throw APIError.idempotencyKeyReused }
        return try decodeRemembered(remembered.response, position: remembered.position, render: render)
    }

    private func decodeRemembered<R: Codable & Sendable>(_ bytes: [UInt8], position: UInt64, render: (R, UInt64) throws -> Reply) throws -> Reply {
        let remembered = try JSONValueDecoder().decode(RememberedReply.self, from: bytes)
        let result: R
        if let orderId = remembered.orderId, let version = remembered.orderVersion {
            guard let snapshot = try services.processor.orderSnapshot(orderId: orderId, version: version) as? R else {
                throw APIError.internalError
            }
            result = snapshot
        } else {
            guard let value = remembered.result else { throw APIError.internalError }
            result = try JSONValueDecoder().decode(R.self, from: value)
        }
        var reply = try render(result, position)
        reply.status = HTTPResponse.Status(code: remembered.status)
        return reply
    }

    /// Runs a command that is not a processor result (sign-in, logout, erasure) and remembers
    /// its reply afterwards: the body sealed under `sealFor`'s key when it names a user, else
    /// in the clear. Two racing requests may both run; both then answer with the first reply.
    func remembered(sealFor: @escaping @Sendable (Reply) -> String?, _ run: () async throws -> Reply) async throws -> Reply {
        guard let claim = idempotency else { return try await run() }
        if let existing = try services.store.rememberedResponse(for: claim.key) {
            guard existing.fingerprint == claim.fingerprint else { throw APIError.idempotencyKeyReused }
            return try openRemembered(existing.response, position: existing.position)
        }
        let reply = try await run()
        guard case .json(var body) = reply.body else { return reply }
        if let position = reply.logPosition, case .object(var members) = body {
            members["position"] = .int(Int64(position))
            body = .object(members)
        }
        let text = String(decoding: body.serialized(), as: UTF8.self)
        let stored: RememberedReply
        if let userId = sealFor(reply), let sealed = try? services.vault.seal(text, for: userId) {
            stored = RememberedReply(status: reply.status.code, result: nil, sealedBody: sealed, body: nil)
        } else {
            stored = RememberedReply(status: reply.status.code, result: nil, sealedBody: nil, body: body)
        }
        let bytes = try JSONValueEncoder().encode(stored).serialized()
        switch try await services.store.append([], idempotency: claim, response: bytes) {
        case .completed: return reply
        case .replayed(let first, let position): return try openRemembered(first, position: position)
        }
    }

    private func openRemembered(_ bytes: [UInt8], position: UInt64) throws -> Reply {
        let remembered = try JSONValueDecoder().decode(RememberedReply.self, from: bytes)
        let body: JSONValue
        if let sealed = remembered.sealedBody {
            let text = services.vault.open(sealed)
            body = (try? JSONParser.parse(Array(text.utf8))) ?? ["erased": true]
        } else {
            body = remembered.body ?? [:]
        }
        let logged = body["position"]?.intValue.map { UInt64($0) } ?? position
        return Reply(status: HTTPResponse.Status(code: remembered.status), body: .json(body), logPosition: logged)
    }
}
