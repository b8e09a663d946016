import Foundation
import Logging
import TraceViews

/// How the servers inside the CLI log: one escaped line on stderr, `trace: LEVEL: message`.
/// It stores metadata as it is given; swift-log's stream handler formats all of it again on every
/// change, and Hummingbird sets a request id on every request.
struct OneLineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data("trace: \(event.level): \(TerminalText.escaped(event.message.description))\n".utf8))
    }
}
