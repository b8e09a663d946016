import Logging

/// How the servers inside the CLI log: one escaped line on stderr, `trace: LEVEL: message`.
/// Metadata is kept as a short list, since Hummingbird sets a request id on every request:
/// swift-log's stream handler formats all of it again on each change, and even a dictionary
/// costs more per request than the list's one entry.
struct OneLineLogHandler: LogHandler {
    private var entries: [(key: String, value: Logger.MetadataValue)] = []
    var logLevel: Logger.Level

    init(logLevel: Logger.Level) {
        self.logLevel = logLevel
    }

    var metadata: Logger.Metadata {
        get { Logger.Metadata(entries, uniquingKeysWith: { $1 }) }
        set { entries = newValue.map { ($0.key, $0.value) } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { entries.last { $0.key == key }?.value }
        set {
            entries.removeAll { $0.key == key }
            if let newValue { entries.append((key, newValue)) }
        }
    }

    func log(event: LogEvent) {
        Terminal.printLine(label: "\(event.level)", event.message.description)
    }
}
