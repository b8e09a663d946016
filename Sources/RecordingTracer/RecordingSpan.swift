import Synchronization
import TraceModel
import Tracing

/// One span of a `RecordingTracer`, mutable until it ends; ending it queues it once as a model span.
public final class RecordingSpan: Tracing.Span {
    public let context: ServiceContext
    private let kind: TraceModel.SpanKind
    private let identity: RecordedSpanContext
    private let parentSpanID: TraceModel.SpanID?
    private let startTimeUnixNano: UInt64
    private let tracer: RecordingTracer
    private let state: Mutex<State>

    private struct State {
        var name: String
        var attributes = SpanAttributes()
        var events: [TraceModel.SpanEvent] = []
        var links: [TraceModel.SpanLink] = []
        var status = TraceModel.SpanStatus()
        var ended = false
    }

    init(name: String, kind: TraceModel.SpanKind, context: ServiceContext, identity: RecordedSpanContext, parentSpanID: TraceModel.SpanID?,
         startTimeUnixNano: UInt64, tracer: RecordingTracer) {
        self.context = context
        self.kind = kind
        self.identity = identity
        self.parentSpanID = parentSpanID
        self.startTimeUnixNano = startTimeUnixNano
        self.tracer = tracer
        state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    /// As the OpenTelemetry API asks: `ok` is final, and only `error` keeps its description.
    public func setStatus(_ status: Tracing.SpanStatus) {
        state.withLock { state in
            guard state.status.code != .ok else { return }
            state.status = switch status.code {
            case .ok: TraceModel.SpanStatus(code: .ok)
            case .error: TraceModel.SpanStatus(code: .error, message: status.message ?? "")
            }
        }
    }

    public func addEvent(_ event: Tracing.SpanEvent) {
        let recorded = TraceModel.SpanEvent(
            timeUnixNano: event.nanosecondsSinceEpoch, name: event.name, attributes: [Attribute](event.attributes))
        state.withLock { $0.events.append(recorded) }
    }

    /// An `exception` event, as OpenTelemetry's semantic conventions name it.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var eventAttributes: SpanAttributes = [
            "exception.type": .string(String(describing: type(of: error))),
            "exception.message": .string(String(describing: error)),
        ]
        eventAttributes.merge(attributes)
        addEvent(Tracing.SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    public func addLink(_ link: Tracing.SpanLink) {
        guard let linked = link.context.recordedSpanContext else { return }
        let recorded = TraceModel.SpanLink(
            traceID: linked.traceID, spanID: linked.spanID, traceState: linked.traceState, attributes: [Attribute](link.attributes),
            flags: UInt32(linked.flags))
        state.withLock { $0.links.append(recorded) }
    }

    /// Only the first call counts.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endTimeUnixNano = instant().nanosecondsSinceEpoch
        guard let finished = state.withLock({ state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }) else { return }
        tracer.queue.append(TraceModel.Span(
            traceID: identity.traceID, spanID: identity.spanID, parentSpanID: parentSpanID, traceState: identity.traceState,
            flags: UInt32(identity.flags), name: finished.name, kind: kind, startTimeUnixNano: startTimeUnixNano,
            endTimeUnixNano: max(endTimeUnixNano, startTimeUnixNano), attributes: [Attribute](finished.attributes),
            events: finished.events, links: finished.links, status: finished.status, resource: tracer.resource, scope: tracer.scope))
    }
}

extension [Attribute] {
    /// The values OTLP can carry; every `SpanAttribute` case maps to one.
    init(_ attributes: SpanAttributes) {
        self.init()
        reserveCapacity(attributes.count)
        attributes.forEach { key, value in
            if let value = AttributeValue(value) { append(Attribute(key, value)) }
        }
    }
}

extension AttributeValue {
    init?(_ attribute: SpanAttribute) {
        switch attribute {
        case .int32(let value): self = .int(Int64(value))
        case .int64(let value): self = .int(value)
        case .int32Array(let values): self = .array(values.map { .int(Int64($0)) })
        case .int64Array(let values): self = .array(values.map { .int($0) })
        case .double(let value): self = .double(value)
        case .doubleArray(let values): self = .array(values.map { .double($0) })
        case .bool(let value): self = .bool(value)
        case .boolArray(let values): self = .array(values.map { .bool($0) })
        case .string(let value): self = .string(value)
        case .stringArray(let values): self = .array(values.map { .string($0) })
        case .stringConvertible(let value): self = .string(String(describing: value))
        case .stringConvertibleArray(let values): self = .array(values.map { .string(String(describing: $0)) })
        default: return nil
        }
    }
}
