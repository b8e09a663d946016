/// One OTLP log record with its resource and scope. Trace context is optional: a line logged
/// outside any span has none, and is kept all the same.
public struct LogRecord: Hashable, Sendable {
    /// When the event happened; 0 when the sender did not know (then `observedTimeUnixNano` orders it).
    public var timeUnixNano: UInt64
    public var observedTimeUnixNano: UInt64
    public var severityNumber: Int
    public var severityText: String
    public var body: AttributeValue
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var flags: UInt32
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var eventName: String
    public var resource: Resource
    public var scope: InstrumentationScope

    public init(
        timeUnixNano: UInt64, observedTimeUnixNano: UInt64 = 0, severityNumber: Int = 0, severityText: String = "",
        body: AttributeValue = .empty, attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, flags: UInt32 = 0,
        traceID: TraceID? = nil, spanID: SpanID? = nil, eventName: String = "",
        resource: Resource = Resource(), scope: InstrumentationScope = InstrumentationScope()
    ) {
        self.timeUnixNano = timeUnixNano
        self.observedTimeUnixNano = observedTimeUnixNano
        self.severityNumber = severityNumber
        self.severityText = severityText
        self.body = body
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.flags = flags
        self.traceID = traceID
        self.spanID = spanID
        self.eventName = eventName
        self.resource = resource
        self.scope = scope
    }

    /// The time to order and show it by: its own, else when it was observed.
    public var effectiveTimeUnixNano: UInt64 { timeUnixNano != 0 ? timeUnixNano : observedTimeUnixNano }

    public var serviceName: String { resource.serviceName }

    /// The severity level its number falls in, if it has one.
    public var severity: Severity? { Severity(number: severityNumber) }

    /// The severity as the sender wrote it, else the level's name, else empty.
    public var severityLabel: String {
        if !severityText.isEmpty { return severityText }
        return severity?.name ?? ""
    }

    /// What a listing shows as its level: the level's name (`warning`, `Warn` and `WARN2` all read
    /// WARN), else the text as sent.
    public var levelName: String { severity?.name ?? severityText }

    /// The body as one line of text: a string as it is, anything else as its description.
    public var bodyText: String {
        if case .string(let text) = body { return text }
        if body == .empty { return "" }
        return body.description
    }
}

/// OTLP's six severity ranges (TRACE 1–4 … FATAL 21–24).
public enum Severity: Int, CaseIterable, Comparable, Sendable {
    case trace = 1, debug = 5, info = 9, warn = 13, error = 17, fatal = 21

    /// The level a severity number belongs to; nil for 0 (unspecified) and out-of-range numbers.
    public init?(number: Int) {
        guard (1...24).contains(number) else { return nil }
        self.init(rawValue: (number - 1) / 4 * 4 + 1)
    }

    /// A level by name, any case; `warning` and `err` as people write them.
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error", "err": self = .error
        case "fatal", "critical": self = .fatal
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warn: "WARN"
        case .error: "ERROR"
        case .fatal: "FATAL"
        }
    }

    /// The lowest severity number of the level.
    public var lowestNumber: Int { rawValue }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}
