import Foundation
import TestSupport
import Testing

/// `orderlog-bench` pointed at a running server with `--url`: the runner is the judge of a
/// load run, so a run whose answers break an invariant must fail loudly — exit 1, the broken
/// invariant named in the report — not print a throughput as if all were well.
@Suite struct BenchAgainstServerTests {
    @Test func aShoppingRunWhosePaymentsAreRefusedExitsOneAndSaysWhy() async throws {
        let dir = TemporaryDirectory("bench-url")
        let server = try await ServerProcess(data: dir.path)
        defer { server.killNow() }
        let bench = BuildProducts.executable("orderlog-bench")
        let common = ["shopping", "--url", server.base, "--admin-password", "admin-password-1",
                      "--duration", "1", "--concurrency", "2", "--products", "4", "--json"]

        // Signed with the server's secret: every invariant holds.
        let good = try await runProcess(bench, common + ["--payment-secret", "s"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains(#""invariantsHold":true"#))

        // Signed with another secret: the server refuses each notification, the run fails.
        let bad = try await runProcess(bench, common + ["--payment-secret", "not-the-servers-secret"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains(#""invariantsHold":false"#))
        #expect(bad.stdout.contains("INVALID_SIGNATURE"))
    }
}
