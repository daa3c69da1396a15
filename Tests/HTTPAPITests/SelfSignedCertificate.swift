import Foundation
import TestSupport
import Testing

/// A throwaway P-256 certificate for 127.0.0.1, made by the openssl CLI (`make test` installs it).
enum SelfSignedCertificate {
    static func make(in dir: TemporaryDirectory) async throws -> (cert: String, key: String) {
        let cert = dir.sub("cert.pem"), key = dir.sub("key.pem")
        let made = try await runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                       "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                                       "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (cert, key)
    }
}
