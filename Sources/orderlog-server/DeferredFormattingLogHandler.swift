import Logging

/// swift-log's `StreamLogHandler`, formatting its metadata only when it writes a line.
///
/// `StreamLogHandler` re-renders its metadata string on every change, and Hummingbird puts a
/// request id on each request's logger: every request paid for formatting a line that, below the
/// log level, is never written (~4 % of the request handlers' CPU under `POST /v1/orders`).
/// Lines come out exactly as `StreamLogHandler` writes them.
struct DeferredFormattingLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var stream = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        stream.logLevel = logLevel
        stream.metadata = metadata
        stream.log(event: event)
    }
}
