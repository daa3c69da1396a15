import AsyncHTTPClient
import CanonicalJSON
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Exchanges a mini-program login `code` for the user's openid through WeChat's
/// `jscode2session`. The `session_key` it also returns never leaves this type.
public final class WeChatSessionClient: Sendable {
    let client: HTTPClient
    let appId: String
    let secret: String
    let baseURL: String

    public init(client: HTTPClient, appId: String, secret: String, baseURL: String) {
        self.client = client
        self.appId = appId
        self.secret = secret
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Codes WeChat answers for a code that is invalid, used or refused: the caller's fault.
    static let rejectedCodes: Set<Int64> = [40029, 40163, 40226]

    func openId(for code: String) async throws -> String {
        var components = URLComponents(string: baseURL + "/sns/jscode2session")
        components?.queryItems = [
            URLQueryItem(name: "appid", value: appId), URLQueryItem(name: "secret", value: secret),
            URLQueryItem(name: "js_code", value: code), URLQueryItem(name: "grant_type", value: "authorization_code"),
        ]
        guard let url = components?.url?.absoluteString else { throw APIError.upstreamUnavailable("cannot build the WeChat URL") }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw APIError.upstreamUnavailable("WeChat could not be reached")
        }
        guard response.status == .ok, let json = try? JSONParser.parse(Array(body.readableBytesView)) else {
            throw APIError.upstreamUnavailable("WeChat answered \(response.status.code) with something other than JSON")
        }
        if let errcode = json["errcode"]?.intValue, errcode != 0 {
            if Self.rejectedCodes.contains(errcode) { throw APIError.unauthorized("WeChat rejected the login code (\(errcode))") }
            throw APIError.upstreamUnavailable("WeChat answered errcode \(errcode)")
        }
        guard let openId = json["openid"]?.stringValue, !openId.isEmpty, openId.count <= 128 else {
            throw APIError.upstreamUnavailable("WeChat's answer has no openid")
        }
        return openId
    }
}
