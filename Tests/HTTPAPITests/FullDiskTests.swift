import CanonicalJSON
import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// A disk that can be made full and given back: a small tmpfs where mounting is permitted
/// (we are root in CI), else a file-size limit on the running server (`prlimit --fsize`; the
/// server ignores SIGXFSZ, so writes past it fail with EFBIG like a full disk).
final class FillableDisk {
    enum Kind: Sendable, CustomTestStringConvertible {
        case tmpfs, fileSizeLimit
        var testDescription: String { self == .tmpfs ? "tmpfs" : "file-size limit" }
    }
    let kind: Kind
    let root: String
    private var ballast: String { root + "/ballast" }

    /// A tmpfs when `preferred` is `.tmpfs` and mounting works, else a file-size limit.
    init(under directory: TemporaryDirectory, megabytes: Int, preferred: Kind) async throws {
        let mountPoint = directory.sub("disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = preferred == .tmpfs ? try? await runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", mountPoint]) : nil
        kind = mounted?.status == 0 ? .tmpfs : .fileSizeLimit
        root = mountPoint
    }

    /// Leaves about `headroom` bytes for the server (tmpfs), or caps its files there.
    func fill(leaving headroom: Int, server: ServerProcess) async throws {
        switch kind {
        case .tmpfs:
            var stats = statvfs()
            guard statvfs(root, &stats) == 0 else { throw POSIXError(.EIO) }
            let free = Int(stats.f_bavail) * Int(stats.f_frsize)
            let size = max(0, free - headroom)
            guard FileManager.default.createFile(atPath: ballast, contents: Data(count: size)) else { throw POSIXError(.ENOSPC) }
        case .fileSizeLimit:
            let largest = try FileManager.default.subpathsOfDirectory(atPath: root).compactMap {
                try FileManager.default.attributesOfItem(atPath: root + "/" + $0)[.size] as? Int
            }.max() ?? 0
            let result = try await runProcess("/usr/bin/prlimit", ["--pid", String(server.process.processIdentifier), "--fsize=\(largest + headroom):unlimited"])
            guard result.status == 0 else { throw POSIXError(.EPERM) }
        }
    }

    /// Gives the space back.
    func free(server: ServerProcess) async throws {
        switch kind {
        case .tmpfs: try FileManager.default.removeItem(atPath: ballast)
        case .fileSizeLimit:
            _ = try await runProcess("/usr/bin/prlimit", ["--pid", String(server.process.processIdentifier), "--fsize=unlimited:unlimited"])
        }
    }

    /// Blocking, so that a `defer` can call it; a lazy unmount returns at once.
    func unmount() {
        if kind == .tmpfs { _ = try? runProcessBlocking("/bin/umount", ["-l", root]) }
    }
}

/// The disk fills up under a stream of orders: commands answer 503 STORAGE_UNAVAILABLE with a
/// critical log line, nothing is half-written (the chain verifies, stock matches the orders),
/// and once space returns the same server takes orders again and its read models catch up.
@Suite(.serialized) struct FullDiskTests {
    @Test(arguments: [FillableDisk.Kind.tmpfs, .fileSizeLimit])
    func aFullDiskAnswers503WritesNothingHalfAndRecovers(_ kind: FillableDisk.Kind) async throws {
        let dir = TemporaryDirectory("fulldisk")
        let disk = try await FillableDisk(under: dir, megabytes: 48, preferred: kind)
        defer { disk.unmount() }
        let data = disk.root + "/data"
        // A headroom of 1 MiB, not 32: the zeroed file would outlast the orders this test places.
        // So the disk also fills under the headroom's filler, which must only give up quietly.
        let server = try await ServerProcess(data: data, environment: ["ORDERLOG_LOG_HEADROOM_MB": "1"])
        #expect(server.port > 0, "server did not start: \(server.log)")
        let base = server.base
        let admin = try #require(try await HTTP.call(.POST, base + "/v1/auth/login",
                                                     json: ["username": "admin", "password": "admin-password-1"]).json["token"]?.stringValue)
        _ = try await HTTP.call(.POST, base + "/v1/admin/products", json: [
            "productId": "P1", "title": "手机", "category": "手机", "skus": [["skuId": "S1", "specs": [:], "priceCents": 100]],
        ], token: admin)
        _ = try await HTTP.call(.POST, base + "/v1/admin/skus/S1/restock", json: ["quantity": 100000], token: admin)
        let buyer = try #require(try await HTTP.call(.POST, base + "/v1/auth/register",
                                                     json: ["username": "disk_buyer", "password": "password123"]).json["token"]?.stringValue)
        let order: JSONValue = ["items": [["skuId": "S1", "quantity": 1]],
                                "address": ["name": "张三", "phone": "13800138000", "line1": "建国路88号", "city": "北京"]]

        var acknowledged = 0
        for _ in 0..<20 {
            #expect(try await HTTP.call(.POST, base + "/v1/orders", json: order, token: buyer).status == 201)
            acknowledged += 1
        }

        try await disk.fill(leaving: 96 * 1024, server: server)
        var refusal: (status: Int, json: JSONValue, headers: HTTPHeaders)?
        for _ in 0..<5000 {
            let reply = try await HTTP.call(.POST, base + "/v1/orders", json: order, token: buyer)
            if reply.status == 201 {
                acknowledged += 1
                continue
            }
            refusal = reply
            break
        }
        let refused = try #require(refusal, "the disk (\(disk.kind)) never filled up")
        #expect(acknowledged > 20, "the first order after filling was refused: the headroom is too small to tell anything")
        #expect(refused.status == 503 && refused.json["code"]?.stringValue == "STORAGE_UNAVAILABLE", "\(refused.status) \(refused.json)")
        #expect(refused.headers.first(name: "Content-Type")?.hasPrefix("application/problem+json") == true)
        // Still full: still refused, and reads keep working.
        #expect(try await HTTP.call(.POST, base + "/v1/orders", json: order, token: buyer).status == 503)
        #expect(try await HTTP.call(.GET, base + "/v1/products/P1").status == 200)
        #expect(try await HTTP.call(.GET, base + "/health").status == 200)

        // Nothing half-written: the log verifies while the disk is full.
        let verify = try await runProcess(BuildProducts.executable("orderlog-replay"), ["verify", "--data", data])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

        try await disk.free(server: server)
        var placedAfter: JSONValue?
        for _ in 0..<100 {
            let reply = try await HTTP.call(.POST, base + "/v1/orders", json: order, token: buyer)
            if reply.status == 201 {
                acknowledged += 1
                placedAfter = reply.json
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let head = String(try #require(placedAfter?["position"]?.intValue, "no order succeeded after space returned"))

        // The read models catch up and the ledger matches the acknowledged orders exactly.
        var listed: Int64 = -1
        for _ in 0..<100 {
            let list = try await HTTP.call(.GET, base + "/v1/orders?pageSize=1", token: buyer, headers: ["X-Min-Position": head])
            listed = list.json["total"]?.intValue ?? -1
            if listed == Int64(acknowledged) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(listed == Int64(acknowledged))
        let sku = try await HTTP.call(.GET, base + "/v1/skus/S1").json
        #expect(sku["reserved"]?.intValue == Int64(acknowledged) && sku["available"]?.intValue == 100000 - Int64(acknowledged), "\(sku)")

        #expect(await server.terminate() == 0)
        let log = await server.restOfStderr()
        #expect(log.contains("a group commit failed and was rolled back"), "no clear log line: \(log.suffix(2000))")
        let verifyAfter = try await runProcess(BuildProducts.executable("orderlog-replay"), ["verify", "--data", data])
        #expect(verifyAfter.status == 0, "\(verifyAfter.stdout) \(verifyAfter.stderr)")
    }
}
