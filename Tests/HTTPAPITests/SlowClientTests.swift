import Foundation
import NIOHTTP1
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to 127.0.0.1, for clients no HTTP library would be: the drip-feeders.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// False once the peer has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What the server sent so far, and whether it closed the connection.
    func receive() -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
                continue
            }
            return (String(decoding: received, as: UTF8.self), count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        }
    }

    deinit { close(fd) }
}

/// Slowloris: clients that drip a request head, or a body, a few bytes at a time are cut off
/// after ORDERLOG_REQUEST_TIMEOUT instead of holding a connection forever, and while they drip,
/// everyone else is served as usual.
@Suite(.serialized) struct SlowClientTests {
    @Test func dripFeedersAreDisconnectedAndOthersServed() async throws {
        let dir = TemporaryDirectory("slowloris")
        let server = try await ServerProcess(data: dir.path, environment: ["ORDERLOG_REQUEST_TIMEOUT": "2"])
        #expect(server.port > 0, "server did not start: \(server.log)")
        defer { server.killNow() }

        var heads: [RawConnection] = []
        var bodies: [RawConnection] = []
        for index in 0..<60 {
            let connection = try RawConnection(port: server.port)
            if index % 2 == 0 {
                connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                heads.append(connection)
            } else {
                connection.send("POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
                bodies.append(connection)
            }
        }

        // Drip for 4 s, a byte every 200 ms per connection, while a well-behaved client is served.
        let started = Date()
        var waits: [Double] = []
        while Date().timeIntervalSince(started) < 4 {
            for connection in heads { connection.send("X") }
            for connection in bodies { connection.send(" ") }
            let health = try await Self.timedHealth(port: server.port)
            #expect(health.ok)
            waits.append(health.seconds)
            try await Task.sleep(for: .milliseconds(200))
        }
        // Served without waiting for the drip-feeders to be cut off (2 s): the median has half of
        // that as margin, since the test suite shares two cores with other server processes.
        // Timed on a thread of its own: through the test's async client, a run of the whole
        // suite on a slower machine once measured 1.1 s per request — the time this task waited
        // for the cooperative pool that every parallel test shares, not the server's.
        let median = waits.sorted()[waits.count / 2]
        #expect(median < 1, "well-behaved requests waited \(waits) s behind the drip-feeders")

        for (name, group) in [("head", heads), ("body", bodies)] {
            let cutOff = group.filter { connection in
                let (_, closed) = connection.receive()
                return closed || !connection.send("X")
            }
            #expect(cutOff.count == group.count, "\(group.count - cutOff.count) slow \(name) connections still open after 4 s")
        }
        #expect(try await HTTP.call(.GET, server.base + "/health").status == 200)
    }

    /// One `GET /health` on a fresh connection, sent, answered and timed on a thread of its own.
    static func timedHealth(port: Int) async throws -> (ok: Bool, seconds: Double) {
        try await offThePool {
            let began = Date()
            let connection = try RawConnection(port: port)
            connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            var answer = ""
            while Date().timeIntervalSince(began) < 5 {
                let (text, closed) = connection.receive()
                answer += text
                if closed { break }
            }
            return (answer.hasPrefix("HTTP/1.1 200"), Date().timeIntervalSince(began))
        }
    }
}
