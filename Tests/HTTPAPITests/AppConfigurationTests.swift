import HTTPAPI
import Testing

/// `ORDERLOG_*` settings as the server reads them (API.md "Processes").
@Suite struct AppConfigurationTests {
    @Test func theLogHeadroomDefaultsTo32MiBAndCanBeTurnedOff() throws {
        #expect(try AppConfiguration.fromEnvironment([:]).logHeadroomMegabytes == 32)
        #expect(try AppConfiguration.fromEnvironment(["ORDERLOG_LOG_HEADROOM_MB": "0"]).logHeadroomMegabytes == 0)
        #expect(try AppConfiguration.fromEnvironment(["ORDERLOG_LOG_HEADROOM_MB": "128"]).logHeadroomMegabytes == 128)
    }

    @Test(arguments: ["-1", "lots", "2000000"])
    func aBadLogHeadroomIsRefusedByName(_ value: String) {
        #expect {
            try AppConfiguration.fromEnvironment(["ORDERLOG_LOG_HEADROOM_MB": value])
        } throws: { error in
            String(describing: error).contains("ORDERLOG_LOG_HEADROOM_MB")
        }
    }
}
