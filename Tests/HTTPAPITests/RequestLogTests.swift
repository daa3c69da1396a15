import Foundation
@testable import HTTPAPI
import NIOHTTP1
import TestSupport
import Testing

/// The request log as an operator reads it: one line per request at `info`, shaped as
/// swift-log's `StreamLogHandler` writes (time, level, label, sorted metadata, source, message).
@Suite struct RequestLogTests {
    @Test func eachRequestLogsOneLineWithTimeStatusAndDuration() async throws {
        let dir = TemporaryDirectory("requestlog")
        let server = try await ServerProcess(data: dir.path, environment: ["LOG_LEVEL": "info"])
        #expect(server.port > 0, "server did not start: \(server.log)")
        _ = try await HTTP.call(.GET, server.base + "/health", headers: ["X-Request-Id": "probe-0001"])
        _ = try await HTTP.call(.GET, server.base + "/v1/nothing-here")
        #expect(await server.terminate() == 0)
        let lines = await server.restOfStderr().components(separatedBy: "\n")

        let health = lines.filter { $0.contains("GET /health 200") }
        #expect(health.count == 1, "\(lines)")
        let shape = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info orderlog: hb\.request\.id=[0-9a-f]+ request=probe-0001 \[HTTPAPI\] GET /health 200 \d+\.\dms$/#
        #expect(health.first.map { $0.wholeMatch(of: shape) != nil } == true, "\(health)")
        #expect(lines.contains { $0.contains(" info orderlog: ") && $0.hasSuffix("ms") && $0.contains("GET NotFound 404") }, "\(lines)")
    }

    @Test func millisecondsAreWrittenToOneDecimal() {
        #expect(RequestLogMiddleware.milliseconds(0.0042) == "4.2")
        #expect(RequestLogMiddleware.milliseconds(0.00425001) == "4.3")
        #expect(RequestLogMiddleware.milliseconds(1.5) == "1500.0")
        #expect(RequestLogMiddleware.milliseconds(0) == "0.0")
    }
}
