import Synchronization
import TraceModel
import Tracing

/// A swift-distributed-tracing `Tracer` that keeps its spans in the process: each finished span
/// becomes a model `Span` in a `FinishedSpanQueue`, the in-process exporter, as the Go demo's
/// SQLite exporter does; no OTLP encoding, no socket. Propagates W3C Trace Context.
public struct RecordingTracer: Tracer {
    public typealias Span = RecordingSpan

    let resource: TraceModel.Resource
    let scope: InstrumentationScope
    let queue: FinishedSpanQueue

    /// `resource` names the service (`service.name`); every span of this tracer carries it and `scope`.
    public init(resource: TraceModel.Resource, scope: InstrumentationScope, queue: FinishedSpanQueue) {
        self.resource = resource
        self.scope = scope
        self.queue = queue
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordingSpan {
        var context = context()
        let parent = context.recordedSpanContext
        // Every span is recorded (as swift-otel's always-on sampler would), so every span is sampled.
        let identity = RecordedSpanContext(
            traceID: parent?.traceID ?? RandomIDs.shared.traceID(), spanID: RandomIDs.shared.spanID(),
            flags: (parent?.flags ?? 0) | 1, traceState: parent?.traceState ?? "")
        context.recordedSpanContext = identity
        return RecordingSpan(
            name: operationName, kind: TraceModel.SpanKind(kind), context: context, identity: identity, parentSpanID: parent?.spanID,
            startTimeUnixNano: instant().nanosecondsSinceEpoch, tracer: self)
    }

    /// Spans are handed to the queue as they end; the queue's service stores them.
    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier),
              let remote = RecordedSpanContext(traceparent: traceparent, tracestate: extractor.extract(key: "tracestate", from: carrier))
        else { return }
        context.recordedSpanContext = remote
    }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.recordedSpanContext else { return }
        injector.inject(span.traceparent, forKey: "traceparent", into: &carrier)
        if !span.traceState.isEmpty { injector.inject(span.traceState, forKey: "tracestate", into: &carrier) }
    }
}

extension TraceModel.SpanKind {
    init(_ kind: Tracing.SpanKind) {
        self = switch kind {
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .internal: .internal
        }
    }
}

/// Unique, unpredictable-looking ids without a system call per span: a counter from a random
/// start, put through SplitMix64's finaliser, a bijection, so no id repeats within a process.
final class RandomIDs: Sendable {
    static let shared = RandomIDs()
    private let counter: Atomic<UInt64>
    private let traceSeed: UInt64

    private init() {
        var generator = SystemRandomNumberGenerator()
        counter = Atomic(generator.next())
        traceSeed = generator.next()
    }

    func spanID() -> SpanID { SpanID(nextNonZero()) }

    /// Unique by its low half; the high half is the same counter value mixed with a seed.
    func traceID() -> TraceID {
        let low = nextNonZero()
        return TraceID(high: Self.mix(low ^ traceSeed), low: low)
    }

    /// Zero means "no id" in OTLP; one counter value in 2^64 maps to it and is skipped.
    private func nextNonZero() -> UInt64 {
        while true {
            let value = Self.mix(counter.wrappingAdd(1, ordering: .relaxed).oldValue)
            if value != 0 { return value }
        }
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
