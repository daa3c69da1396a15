import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Registration, login (password and WeChat), logout, the current user, erasure.
struct AccountRoutes {
    let services: Services

    func register(on router: Router<AppContext>, table: RouteTable) {
        router.endpoint(.post, "/v1/auth/register", EndpointSpec(access: .anyone, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let username = body.string("username", length: 3...32)
            let password = body.string("password", length: 8...128, text: .multiLine)
            if let username, !username.utf8.allSatisfy({ $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
                body.fail("username", "must match ^[a-zA-Z0-9_]{3,32}$")
            }
            try body.finish()
            guard let username, let password else { throw APIError.internalError }
            return try await call.remembered(sealFor: { $0.userIdInBody }) {
                let session = try await call.services.accounts.register(username: username, password: password, metadata: call.metadata)
                return Reply.command(Self.session(session), status: .created, position: session.position)
            }
        }
        router.endpoint(.post, "/v1/auth/login", EndpointSpec(access: .anyone, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let username = body.string("username", length: 1...128)
            let password = body.string("password", length: 1...1024, text: .multiLine)
            try body.finish()
            guard let username, let password else { throw APIError.internalError }
            return try await call.remembered(sealFor: { $0.userIdInBody }) {
                do {
                    let session = try await call.services.accounts.login(username: username, password: password)
                    return Reply.command(Self.session(session), position: session.position)
                } catch AccountService.Failure.unauthorized {
                    throw APIError.unauthorized("wrong username or password")
                }
            }
        }
        router.endpoint(.post, "/v1/auth/wechat", EndpointSpec(access: .anyone, body: .required), table: table, services: services) { call in
            var body = BodyReader(call.body)
            let code = body.string("code", length: 1...256)
            try body.finish()
            guard let code else { throw APIError.internalError }
            guard let wechat = call.services.wechat else {
                throw APIError.notConfigured("WeChat login needs ORDERLOG_WECHAT_APPID and ORDERLOG_WECHAT_SECRET")
            }
            return try await call.remembered(sealFor: { $0.userIdInBody }) {
                let openId = try await wechat.openId(for: code)
                let (session, created) = try await call.services.accounts.signIn(openId: openId, metadata: call.metadata)
                guard case .object(var members) = Self.session(session) else { throw APIError.internalError }
                members["created"] = .bool(created)
                return Reply.command(.object(members), position: session.position)
            }
        }
        router.endpoint(.post, "/v1/auth/logout", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            let userId = try call.userId
            return try await call.remembered(sealFor: { _ in nil }) {
                let position = try await call.services.accounts.logout(userId: userId, metadata: call.metadata)
                return Reply.command([:], position: position)
            }
        }
        router.endpoint(.get, "/v1/me", EndpointSpec(access: .signedIn), table: table, services: services) { call in
            let userId = try call.userId
            guard let account = try call.services.accounts.account(userId) else { throw APIError.unauthorized() }
            let head = try call.services.store.head(of: StreamId.user(userId))
            return .json(["userId": .string(userId), "username": .string(call.services.accounts.displayName(account)), "role": .string(account.role.rawValue)],
                         readPosition: head?.position)
        }
        router.endpoint(.delete, "/v1/me", EndpointSpec(access: .signedIn, body: .optional), table: table, services: services) { call in
            let userId = try call.userId
            var body = BodyReader(call.body)
            let password = body.string("password", required: false, length: 1...1024, text: .multiLine)
            try body.finish()
            return try await call.remembered(sealFor: { _ in nil }) {
                do {
                    let position = try await call.services.accounts.erase(userId: userId, password: password, metadata: call.metadata)
                    return Reply.command(["userId": .string(userId)], position: position)
                } catch AccountService.Failure.unauthorized {
                    throw APIError.unauthorized("the password does not match")
                }
            }
        }
    }

    static func session(_ session: AccountService.Session) -> JSONValue {
        ["userId": .string(session.userId), "username": .string(session.username), "role": .string(session.role.rawValue), "token": .string(session.token)]
    }
}

extension Reply {
    /// The `userId` member of a JSON reply (for sealing a remembered sign-in under its user).
    var userIdInBody: String? {
        if case .json(let value) = body { return value["userId"]?.stringValue }
        return nil
    }
}
