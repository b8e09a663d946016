/// The role a span plays in a request, as in OTLP `Span.SpanKind`.
public enum SpanKind: Int, Hashable, Sendable, CaseIterable {
    case unspecified = 0
    case `internal` = 1
    case server = 2
    case client = 3
    case producer = 4
    case consumer = 5

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }
}

public struct SpanStatus: Hashable, Sendable {
    public enum Code: Int, Hashable, Sendable {
        case unset = 0
        case ok = 1
        case error = 2
    }

    public var code: Code
    public var message: String

    public init(code: Code = .unset, message: String = "") {
        self.code = code
        self.message = message
    }
}

public struct SpanEvent: Hashable, Sendable {
    public var timeUnixNano: UInt64
    public var name: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32

    public init(timeUnixNano: UInt64, name: String, attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0) {
        self.timeUnixNano = timeUnixNano
        self.name = name
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}

public struct SpanLink: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var flags: UInt32

    public init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, flags: UInt32 = 0) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.flags = flags
    }
}

/// The entity that produced spans (`service.name` and friends).
public struct Resource: Hashable, Sendable {
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var schemaURL: String

    public init(attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, schemaURL: String = "") {
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.schemaURL = schemaURL
    }

    /// `service.name`, or OpenTelemetry's own fallback when a sender left it out.
    public var serviceName: String { attributes["service.name"]?.stringValue ?? "unknown_service" }
}

/// The instrumentation library that recorded spans.
public struct InstrumentationScope: Hashable, Sendable {
    public var name: String
    public var version: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var schemaURL: String

    public init(name: String = "", version: String = "", attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, schemaURL: String = "") {
        self.name = name
        self.version = version
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.schemaURL = schemaURL
    }
}

/// One finished span with everything OTLP carries for it, its resource and scope included.
/// Its fields live in one shared, immutable box: views pass spans around by the hundred
/// thousand, and a copy is then one reference rather than a dozen. A change makes a new box.
public struct Span: Hashable, Sendable {
    @usableFromInline var storage: Storage

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, traceState: String = "", flags: UInt32 = 0,
        name: String, kind: SpanKind = .internal, startTimeUnixNano: UInt64, endTimeUnixNano: UInt64,
        attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0,
        events: [SpanEvent] = [], droppedEventsCount: UInt32 = 0,
        links: [SpanLink] = [], droppedLinksCount: UInt32 = 0,
        status: SpanStatus = SpanStatus(), resource: Resource = Resource(), scope: InstrumentationScope = InstrumentationScope()
    ) {
        storage = Storage(Fields(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, traceState: traceState, flags: flags, name: name, kind: kind,
            startTimeUnixNano: startTimeUnixNano, endTimeUnixNano: endTimeUnixNano, attributes: attributes,
            droppedAttributesCount: droppedAttributesCount, events: events, droppedEventsCount: droppedEventsCount, links: links,
            droppedLinksCount: droppedLinksCount, status: status, resource: resource, scope: scope))
    }

    public var traceID: TraceID {
        @inlinable get { storage.fields.traceID }
        set { storage = Storage(storage.fields) { $0.traceID = newValue } }
    }
    public var spanID: SpanID {
        @inlinable get { storage.fields.spanID }
        set { storage = Storage(storage.fields) { $0.spanID = newValue } }
    }
    public var parentSpanID: SpanID? {
        @inlinable get { storage.fields.parentSpanID }
        set { storage = Storage(storage.fields) { $0.parentSpanID = newValue } }
    }
    public var traceState: String {
        @inlinable get { storage.fields.traceState }
        set { storage = Storage(storage.fields) { $0.traceState = newValue } }
    }
    public var flags: UInt32 {
        @inlinable get { storage.fields.flags }
        set { storage = Storage(storage.fields) { $0.flags = newValue } }
    }
    public var name: String {
        @inlinable get { storage.fields.name }
        set { storage = Storage(storage.fields) { $0.name = newValue } }
    }
    public var kind: SpanKind {
        @inlinable get { storage.fields.kind }
        set { storage = Storage(storage.fields) { $0.kind = newValue } }
    }
    public var startTimeUnixNano: UInt64 {
        @inlinable get { storage.fields.startTimeUnixNano }
        set { storage = Storage(storage.fields) { $0.startTimeUnixNano = newValue } }
    }
    public var endTimeUnixNano: UInt64 {
        @inlinable get { storage.fields.endTimeUnixNano }
        set { storage = Storage(storage.fields) { $0.endTimeUnixNano = newValue } }
    }
    public var attributes: [Attribute] {
        @inlinable get { storage.fields.attributes }
        set { storage = Storage(storage.fields) { $0.attributes = newValue } }
    }
    public var droppedAttributesCount: UInt32 {
        @inlinable get { storage.fields.droppedAttributesCount }
        set { storage = Storage(storage.fields) { $0.droppedAttributesCount = newValue } }
    }
    public var events: [SpanEvent] {
        @inlinable get { storage.fields.events }
        set { storage = Storage(storage.fields) { $0.events = newValue } }
    }
    public var droppedEventsCount: UInt32 {
        @inlinable get { storage.fields.droppedEventsCount }
        set { storage = Storage(storage.fields) { $0.droppedEventsCount = newValue } }
    }
    public var links: [SpanLink] {
        @inlinable get { storage.fields.links }
        set { storage = Storage(storage.fields) { $0.links = newValue } }
    }
    public var droppedLinksCount: UInt32 {
        @inlinable get { storage.fields.droppedLinksCount }
        set { storage = Storage(storage.fields) { $0.droppedLinksCount = newValue } }
    }
    public var status: SpanStatus {
        @inlinable get { storage.fields.status }
        set { storage = Storage(storage.fields) { $0.status = newValue } }
    }
    public var resource: Resource {
        @inlinable get { storage.fields.resource }
        set { storage = Storage(storage.fields) { $0.resource = newValue } }
    }
    public var scope: InstrumentationScope {
        @inlinable get { storage.fields.scope }
        set { storage = Storage(storage.fields) { $0.scope = newValue } }
    }

    /// The resource's `service.name`, looked up once: views ask for it per span, many times over.
    @inlinable public var serviceName: String { storage.serviceName }
    /// End minus start, never negative even when a sender's clock went backwards.
    @inlinable public var durationNanos: UInt64 {
        let (start, end) = (storage.fields.startTimeUnixNano, storage.fields.endTimeUnixNano)
        return end >= start ? end - start : 0
    }
    @inlinable public var isError: Bool { storage.fields.status.code == .error }

    public static func == (a: Span, b: Span) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields.traceID)
        hasher.combine(storage.fields.spanID)
        hasher.combine(storage.fields.startTimeUnixNano)
    }

    /// Immutable, so reading a field needs neither a copy nor an exclusivity check.
    @usableFromInline final class Storage: Sendable {
        @usableFromInline let fields: Fields
        @usableFromInline let serviceName: String

        init(_ fields: Fields) {
            self.fields = fields
            serviceName = fields.resource.serviceName
        }

        /// A new box: `fields` with one change.
        convenience init(_ fields: Fields, changing change: (inout Fields) -> Void) {
            var changed = fields
            change(&changed)
            self.init(changed)
        }
    }

    @usableFromInline struct Fields: Hashable, Sendable {
        @usableFromInline var traceID: TraceID
        @usableFromInline var spanID: SpanID
        @usableFromInline var parentSpanID: SpanID?
        @usableFromInline var traceState: String
        @usableFromInline var flags: UInt32
        @usableFromInline var name: String
        @usableFromInline var kind: SpanKind
        @usableFromInline var startTimeUnixNano: UInt64
        @usableFromInline var endTimeUnixNano: UInt64
        @usableFromInline var attributes: [Attribute]
        @usableFromInline var droppedAttributesCount: UInt32
        @usableFromInline var events: [SpanEvent]
        @usableFromInline var droppedEventsCount: UInt32
        @usableFromInline var links: [SpanLink]
        @usableFromInline var droppedLinksCount: UInt32
        @usableFromInline var status: SpanStatus
        @usableFromInline var resource: Resource
        @usableFromInline var scope: InstrumentationScope
    }
}
