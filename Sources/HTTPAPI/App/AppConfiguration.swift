import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Everything `orderlog-server` is configured with (API.md "Processes"): flags win over
/// `ORDERLOG_*` environment variables, which win over the defaults.
public struct AppConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./data"
    public var seedDemo = false
    public var adminPassword: String?
    public var tokenSecret: String?
    public var paymentSecret: String?
    public var masterKey: String?
    public var paymentTimeoutSeconds: Int64 = 1800
    public var autoReceiveDays = 7
    public var pbkdf2Iterations = 600_000
    /// Requests per second per client address; 0 turns the limit off.
    public var rateLimit = 500
    public var trustedProxies: Set<String> = []
    public var metricsToken: String?
    public var wechatAppId: String?
    public var wechatSecret: String?
    public var wechatAPI = "https://api.weixin.qq.com"
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Seconds a connection may sit idle between requests.
    public var idleTimeoutSeconds: Int64 = 60
    /// Seconds a client may take to send a request's head (and, after it, its body).
    public var requestTimeoutSeconds: Int64 = 10
    /// MiB of the log file kept zero-filled past its last page, so commits do not grow the file
    /// (`EventStore.Configuration.logHeadroomBytes`); 0 turns it off.
    public var logHeadroomMegabytes = EventStore.Configuration.defaultLogHeadroomMegabytes

    public init() {}

    /// Defaults overridden by the environment (`ORDERLOG_HOST`, `ORDERLOG_PORT`, …).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        var c = AppConfiguration()
        func value(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return v
        }
        func integer(_ name: String) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard let n = Int(text) else { throw ConfigurationError("\(name) must be an integer, got \(text)") }
            return n
        }
        if let v = value("ORDERLOG_HOST") { c.host = v }
        if let v = try integer("ORDERLOG_PORT") { c.port = v }
        if let v = value("ORDERLOG_DATA") { c.dataDirectory = v }
        c.adminPassword = value("ORDERLOG_ADMIN_PASSWORD")
        c.tokenSecret = value("ORDERLOG_TOKEN_SECRET")
        c.paymentSecret = value("ORDERLOG_PAYMENT_SECRET")
        c.masterKey = value("ORDERLOG_MASTER_KEY")
        if let v = try integer("ORDERLOG_PAYMENT_TIMEOUT") { c.paymentTimeoutSeconds = Int64(v) }
        if let v = try integer("ORDERLOG_AUTO_RECEIVE_DAYS") { c.autoReceiveDays = v }
        if let v = try integer("ORDERLOG_PBKDF2_ITERATIONS") { c.pbkdf2Iterations = v }
        if let v = try integer("ORDERLOG_RATE_LIMIT") { c.rateLimit = v }
        if let v = value("ORDERLOG_TRUSTED_PROXIES") {
            c.trustedProxies = Set(v.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
        }
        c.metricsToken = value("ORDERLOG_METRICS_TOKEN")
        c.wechatAppId = value("ORDERLOG_WECHAT_APPID")
        c.wechatSecret = value("ORDERLOG_WECHAT_SECRET")
        if let v = value("ORDERLOG_WECHAT_API") { c.wechatAPI = v }
        if let v = try integer("ORDERLOG_REQUEST_TIMEOUT") { c.requestTimeoutSeconds = Int64(v) }
        if let v = try integer("ORDERLOG_IDLE_TIMEOUT") { c.idleTimeoutSeconds = Int64(v) }
        if let v = try integer("ORDERLOG_LOG_HEADROOM_MB") { c.logHeadroomMegabytes = v }
        try c.validate()
        return c
    }

    public func validate() throws {
        guard (0...65_535).contains(port) else { throw ConfigurationError("port must be 0–65535 (0: any free port)") }
        guard requestTimeoutSeconds > 0 else { throw ConfigurationError("ORDERLOG_REQUEST_TIMEOUT must be positive") }
        guard idleTimeoutSeconds > 0 else { throw ConfigurationError("ORDERLOG_IDLE_TIMEOUT must be positive") }
        guard paymentTimeoutSeconds > 0 else { throw ConfigurationError("ORDERLOG_PAYMENT_TIMEOUT must be positive") }
        guard autoReceiveDays > 0 else { throw ConfigurationError("ORDERLOG_AUTO_RECEIVE_DAYS must be positive") }
        guard pbkdf2Iterations > 0 else { throw ConfigurationError("ORDERLOG_PBKDF2_ITERATIONS must be positive") }
        guard rateLimit >= 0 else { throw ConfigurationError("ORDERLOG_RATE_LIMIT must be 0 (off) or positive") }
        guard (0...(1 << 20)).contains(logHeadroomMegabytes) else { throw ConfigurationError("ORDERLOG_LOG_HEADROOM_MB must be 0 (off) to 1048576") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ConfigurationError("--tls-cert and --tls-key go together") }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
