import Foundation
import TraceModel

/// Log records as text: `trace logs`' lines and JSON, and the lines `trace show` puts under a span.
public enum LogText {
    /// The mark a log record gets in a waterfall bar and in front of its line (◆ is an event's).
    public static let mark: Character = "▪"

    /// The record's `levelName`, five columns wide, coloured by level (warnings yellow, errors red).
    public static func severity(_ record: LogRecord, style: TextStyle) -> String {
        let label = TerminalText.padded(TerminalText.escaped(record.levelName.isEmpty ? "-" : record.levelName), columns: 5)
        switch record.severity {
        case .some(let level) where level >= .error: return style.error(label)
        case .some(.warn): return style.warning(label)
        default: return label
        }
    }

    /// The body on one line: escaped, so a newline or an escape sequence in it is shown, not acted on.
    public static func body(_ record: LogRecord) -> String {
        TerminalText.escaped(record.bodyText)
    }

    /// `trace logs`: one line a record, local time, severity, service, body, and the first 8 hex
    /// digits of its trace; each cut to `width`.
    public static func lines(_ records: [LogRecord], width: Int, style: TextStyle, timeZone: TimeZone? = nil) -> [String] {
        let serviceWidth = min(16, max(7, records.map { TerminalText.width(TerminalText.escaped($0.serviceName)) }.max() ?? 0))
        return records.map { line($0, serviceWidth: serviceWidth, width: width, style: style, timeZone: timeZone) }
    }

    public static func line(_ record: LogRecord, serviceWidth: Int, width: Int, style: TextStyle, timeZone: TimeZone? = nil) -> String {
        let time = Timestamp.string(unixNano: record.effectiveTimeUnixNano, timeZone: timeZone)
        let service = TerminalText.padded(TerminalText.escaped(record.serviceName), columns: serviceWidth)
        let trace = record.traceID.map { "  " + String($0.hex.prefix(8)) } ?? ""
        // time (23) + severity (5) + service + three gaps of two
        let room = max(10, width - 23 - 5 - serviceWidth - 6 - trace.count)
        let text = trace.isEmpty ? TerminalText.truncated(body(record), columns: room) : TerminalText.padded(body(record), columns: room)
        return style.dim(time) + "  " + severity(record, style: style) + "  " + style.service(service, service: record.serviceName) + "  "
            + text + style.dim(trace)
    }

    /// `--json`'s object for one record, with exactly the keys the README documents.
    public static func jsonObject(_ record: LogRecord) -> [String: Any] {
        var attributes: [String: Any] = [:]
        for attribute in record.attributes { attributes[attribute.key] = AttributeJSON.value(attribute.value) }
        let body: Any = switch record.body {
        case .string(let text): text
        case .empty: NSNull()
        default: AttributeJSON.value(record.body)
        }
        return [
            "time": Timestamp.rfc3339(unixNano: record.effectiveTimeUnixNano),
            "severity": record.severityLabel,
            "severityNumber": record.severityNumber,
            "body": body,
            "service": record.serviceName,
            "traceId": record.traceID.map(\.hex) ?? NSNull(),
            "spanId": record.spanID.map(\.hex) ?? NSNull(),
            "attributes": attributes,
        ]
    }

    /// One record as a line of JSON (for `--follow --json`), terminal-safe.
    public static func jsonLine(_ record: LogRecord) -> String {
        json(jsonObject(record), pretty: false)
    }

    /// All records as a JSON array.
    public static func jsonArray(_ records: [LogRecord]) -> String {
        json(records.map(jsonObject), pretty: true)
    }

    private static func json(_ object: Any, pretty: Bool) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return String(decoding: TerminalSafety.escapingJSON(data), as: UTF8.self)
    }
}
