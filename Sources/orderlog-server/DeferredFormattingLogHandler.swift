import Logging

/// swift-log's `StreamLogHandler`, formatting its metadata only when it writes a line.
///
/// `StreamLogHandler` re-renders its metadata string on every change, and Hummingbird puts a
/// request id on each request's logger: every request paid for formatting a line that, below the
/// log level, is never written (~4 % of the request handlers' CPU under `POST /v1/orders`).
/// Lines come out exactly as `StreamLogHandler` writes them.
///
/// Small enough (three words) to sit inline in the logger's `any LogHandler`: each request's
/// copy of the logger then copies no separately allocated box of handler fields.
struct DeferredFormattingLogHandler: LogHandler {
    /// What every copy of one logger's handler shares and never changes.
    private final class Fixed: Sendable {
        let label: String
        let metadataProvider: Logger.MetadataProvider?

        init(label: String, metadataProvider: Logger.MetadataProvider?) {
            self.label = label
            self.metadataProvider = metadataProvider
        }
    }

    private var fixed: Fixed
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    var metadataProvider: Logger.MetadataProvider? {
        get { fixed.metadataProvider }
        set { fixed = Fixed(label: fixed.label, metadataProvider: newValue) }
    }

    init(label: String, logLevel: Logger.Level) {
        fixed = Fixed(label: label, metadataProvider: LoggingSystem.metadataProvider)
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var stream = StreamLogHandler.standardError(label: fixed.label, metadataProvider: fixed.metadataProvider)
        stream.logLevel = logLevel
        stream.metadata = metadata
        stream.log(event: event)
    }
}
