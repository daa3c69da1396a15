import ArgumentParser
import Foundation
import HTTPAPI
import Hummingbird
import Logging

/// `orderlog-server [--host 127.0.0.1] [--port 8080] [--data ./data] [--seed-demo]`
@main
struct OrderLogServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderlog-server",
        abstract: "The OrderLog HTTP server: an event-sourced shop backend on an LMDB log.",
        discussion: "Flags win over ORDERLOG_HOST, ORDERLOG_PORT and ORDERLOG_DATA; see the README for every ORDERLOG_* setting.")

    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0: any free port).") var port: Int?
    @Option(help: "Data directory (created if missing).") var data: String?
    @Flag(help: "Seed a demo catalog when no product has ever been created.") var seedDemo = false
    @Option(help: "PEM certificate chain for native TLS.") var tlsCert: String?
    @Option(help: "PEM private key for native TLS.") var tlsKey: String?

    func run() async throws {
        // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ; ignored,
        // the write fails with EFBIG instead and is answered like a full disk (503).
        signal(SIGXFSZ, SIG_IGN)
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, logLevel: level) }
        let logger = Logger(label: "orderlog")
        var configuration: AppConfiguration
        do {
            configuration = try AppConfiguration.fromEnvironment()
            if let host { configuration.host = host }
            if let port { configuration.port = port }
            if let data { configuration.dataDirectory = data }
            if let tlsCert { configuration.tlsCertificate = tlsCert }
            if let tlsKey { configuration.tlsKey = tlsKey }
            configuration.seedDemo = seedDemo
            try configuration.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let app: OrderLogApp
        do {
            app = try await OrderLogApp.build(configuration: configuration, logger: logger)
        } catch let error as OrderLogApp.StartupError {
            logger.critical("\(error)")
            FileHandle.standardError.write(Data("orderlog-server: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            logger.critical("cannot start: \(error)")
            FileHandle.standardError.write(Data("orderlog-server: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await app.application.runService()
        logger.info("orderlog-server stopped")
    }
}
