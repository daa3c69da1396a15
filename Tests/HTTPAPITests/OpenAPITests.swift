import Foundation
import HTTPAPI
import TestSupport
import Testing

/// `openapi.yaml` is the published contract: a valid OpenAPI 3 document whose operations are
/// exactly the router's routes.
@Suite struct OpenAPITests {
    @Test func theDocumentIsValidAndMatchesTheRouter() async throws {
        let harness = try await APIHarness.make()
        let root = BuildProducts.repositoryRoot
        let python = ProcessInfo.processInfo.environment["ORDERLOG_PYTHON"] ?? "/usr/bin/env"
        let arguments = python == "/usr/bin/env" ? ["python3"] : []
        let result = try await runProcess(python, arguments + [root.appendingPathComponent("Tests/Fixtures/openapi_routes.py").path,
                                                         root.appendingPathComponent("openapi.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        let documented = try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
        let routed = harness.app.routes.routes.map { "\($0.method) \($0.path)" }.sorted()
        #expect(Set(documented).subtracting(routed).isEmpty, "documented but not routed: \(Set(documented).subtracting(routed).sorted())")
        #expect(Set(routed).subtracting(documented).isEmpty, "routed but not documented: \(Set(routed).subtracting(documented).sorted())")
        #expect(documented.count == routed.count)
    }
}
