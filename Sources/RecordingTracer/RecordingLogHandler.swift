import Logging
import TraceModel
import Tracing

/// A swift-log `LogHandler` that keeps its records in the process, as `RecordingTracer` keeps its
/// spans: each message becomes a model `LogRecord` carrying the active span's context (from
/// `ServiceContext.current`), so it lands under its span in `trace show`.
public struct RecordingLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info

    let resource: TraceModel.Resource
    let scope: InstrumentationScope
    let queue: FinishedRecordQueue<LogRecord>

    public init(resource: TraceModel.Resource, scope: InstrumentationScope, queue: FinishedRecordQueue<LogRecord>) {
        self.resource = resource
        self.scope = scope
        self.queue = queue
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let span = ServiceContext.current?.recordedSpanContext
        var attributes: [Attribute] = []
        let extra = event.metadata ?? [:]
        attributes.reserveCapacity(metadata.count + extra.count)
        for (key, value) in metadata where extra[key] == nil { attributes.append(Attribute(key, AttributeValue(value))) }
        for (key, value) in extra { attributes.append(Attribute(key, AttributeValue(value))) }
        let level = Severity(event.level)
        queue.append(LogRecord(
            timeUnixNano: DefaultTracerClock.now.nanosecondsSinceEpoch, severityNumber: level.number, severityText: level.text,
            body: .string(event.message.description), attributes: attributes, flags: UInt32(span?.flags ?? 0),
            traceID: span?.traceID, spanID: span?.spanID, resource: resource, scope: scope))
    }

    /// swift-log's levels in OTLP's terms, as the OpenTelemetry log data model maps them.
    private struct Severity {
        var number: Int
        var text: String

        init(_ level: Logger.Level) {
            (number, text) = switch level {
            case .trace: (1, "TRACE")
            case .debug: (5, "DEBUG")
            case .info: (9, "INFO")
            case .notice: (10, "NOTICE")
            case .warning: (13, "WARN")
            case .error: (17, "ERROR")
            case .critical: (21, "CRITICAL")
            }
        }
    }
}

extension AttributeValue {
    /// A metadata value as an attribute: integers, doubles and booleans keep their type.
    init(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: self = .int(Int64(number))
            case let number as Int64: self = .int(number)
            case let number as Double: self = .double(number)
            case let flag as Bool: self = .bool(flag)
            default: self = .string(convertible.description)
            }
        case .array(let values): self = .array(values.map(AttributeValue.init))
        case .dictionary(let pairs): self = .keyValueList(pairs.sorted { $0.key < $1.key }.map { Attribute($0.key, AttributeValue($0.value)) })
        }
    }
}
