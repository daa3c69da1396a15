import Application
import CanonicalJSON
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A stand-in for WeChat's `jscode2session` on 127.0.0.1.
final class FakeWeChat: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    private let seen: Locked<[String]>

    init() async throws {
        let router = Router()
        let seen = Locked<[String]>([])
        router.get("/sns/jscode2session") { request, _ -> Response in
            let code = request.uri.queryParameters.get("js_code") ?? ""
            seen.withLock { $0.append(request.uri.query ?? "") }
            let body: String
            switch code {
            case let c where c.hasPrefix("good-"): body = #"{"openid":"\#(c.dropFirst(5))","session_key":"SECRET-SESSION-KEY"}"#
            case "used": body = #"{"errcode":40163,"errmsg":"code been used"}"#
            case "busy": body = #"{"errcode":-1,"errmsg":"system busy"}"#
            case "garbage": return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>")))
            default: body = #"{"errcode":40029,"errmsg":"invalid code"}"#
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-wechat")
        logger.logLevel = .critical  // its cancellation at the end of a test is not news
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        port = await iterator.next() ?? 0
        self.seen = seen
    }

    var queries: [String] { seen.value }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

@Suite struct WeChatLoginTests {
    @Test func signsInFindsCreatesAndRefuses() async throws {
        let wechat = try await FakeWeChat()
        let harness = try await APIHarness.make {
            $0.wechatAppId = "wx-test-app"
            $0.wechatSecret = "wx-test-secret"
            $0.wechatAPI = "http://127.0.0.1:\(wechat.port)"
        }
        try await harness.run { api in
            let first = try await api.call(.post, "/v1/auth/wechat", json: ["code": "good-oABC"])
            #expect(first.status == .ok && first.json["created"] == true && first.json["role"] == "customer")
            #expect(!first.text.contains("SECRET-SESSION-KEY"))
            let again = try await api.call(.post, "/v1/auth/wechat", json: ["code": "good-oABC"])
            #expect(again.json["created"] == false && again.json["userId"] == first.json["userId"])
            let token = try #require(first.json["token"]?.stringValue)
            #expect(try await api.call(.get, "/v1/me", token: token).json["userId"] == first.json["userId"])
            #expect(try await api.call(.post, "/v1/auth/wechat", json: ["code": "used"]).code == "UNAUTHORIZED")
            #expect(try await api.call(.post, "/v1/auth/wechat", json: ["code": "nope"]).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/auth/wechat", json: ["code": "busy"]).code == "UPSTREAM_UNAVAILABLE")
            #expect(try await api.call(.post, "/v1/auth/wechat", json: ["code": "garbage"]).code == "UPSTREAM_UNAVAILABLE")
            #expect(try await api.call(.post, "/v1/auth/wechat", json: [:]).code == "VALIDATION_FAILED")
            // A WeChat account erases itself without a password.
            #expect(try await api.call(.delete, "/v1/me", token: token).status == .ok)
        }
        let query = try #require(wechat.queries.first)
        #expect(query.contains("appid=wx-test-app") && query.contains("secret=wx-test-secret") && query.contains("grant_type=authorization_code"))
        await wechat.stop()
    }

    @Test func anUnreachableWeChatIsABadGateway() async throws {
        let harness = try await APIHarness.make {
            $0.wechatAppId = "wx"
            $0.wechatSecret = "s"
            $0.wechatAPI = "http://127.0.0.1:9"  // discard port: nothing listens
        }
        try await harness.run { api in
            let response = try await api.call(.post, "/v1/auth/wechat", json: ["code": "good-x"])
            #expect(response.status == .badGateway && response.code == "UPSTREAM_UNAVAILABLE")
        }
    }
}
