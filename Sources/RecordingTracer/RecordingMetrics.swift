import CoreMetrics
import Synchronization
import TraceModel
import Tracing

/// A swift-metrics backend that keeps its measurements in the process, as `RecordingTracer` keeps
/// its spans: counters and gauges as OTLP sums and gauges, timers and recorders as explicit-bucket
/// histograms whose buckets each keep the last measurement made inside a span as an exemplar, so a
/// latency point leads back to a trace. `points(at:)` reads everything as cumulative points.
public final class RecordingMetrics: MetricsFactory, Sendable {
    /// OpenTelemetry's semantic-convention boundaries for HTTP durations, in seconds.
    public static let durationBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    /// The OpenTelemetry SDKs' default boundaries, for recorders of anything but durations.
    public static let valueBounds: [Double] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]

    let resource: TraceModel.Resource
    let scope: InstrumentationScope
    let start: UInt64
    private let instruments = Mutex([InstrumentKey: any RecordedInstrument]())

    public init(resource: TraceModel.Resource, scope: InstrumentationScope) {
        self.resource = resource
        self.scope = scope
        start = DefaultTracerClock.now.nanosecondsSinceEpoch
    }

    /// Every instrument's value now, one cumulative point a series.
    public func points(at time: UInt64) -> [MetricPoint] {
        instruments.withLock { Array($0.values) }
            .map { $0.point(start: start, time: time, resource: resource, scope: scope) }
            .sorted { ($0.metric.name, $0.attributes.description) < ($1.metric.name, $1.attributes.description) }
    }

    private func instrument<Instrument: RecordedInstrument>(_ label: String, _ dimensions: [(String, String)], make: () -> Instrument) -> Instrument {
        let key = InstrumentKey(label: label, dimensions: dimensions.map { "\($0.0)=\($0.1)" })
        return instruments.withLock { instruments in
            if let existing = instruments[key] as? Instrument { return existing }
            let made = make()
            instruments[key] = made
            return made
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        instrument(label, dimensions) { RecordedCounter(label: label, dimensions: dimensions) }
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        instrument(label, dimensions) { RecordedFloatingPointCounter(label: label, dimensions: dimensions) }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        instrument(label, dimensions) { RecordedGauge(label: label, dimensions: dimensions) }
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        aggregate
            ? instrument(label, dimensions) { RecordedHistogram(label: label, unit: "", dimensions: dimensions, bounds: Self.valueBounds) }
            : instrument(label, dimensions) { RecordedGauge(label: label, dimensions: dimensions) }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        instrument(label, dimensions) { RecordedHistogram(label: label, unit: "s", dimensions: dimensions, bounds: Self.durationBounds) }
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}

private struct InstrumentKey: Hashable {
    var label: String
    var dimensions: [String]
}

private protocol RecordedInstrument: AnyObject, Sendable {
    func point(start: UInt64, time: UInt64, resource: TraceModel.Resource, scope: InstrumentationScope) -> MetricPoint
}

/// What swift-metrics' dimensions say: `unit` and `description` name the metric's own (as
/// swift-otel reads them); the rest are attributes, digits as integers (a status code), anything else as text.
private struct Dimensions {
    var unit: String?
    var description = ""
    var attributes: [Attribute] = []

    init(_ dimensions: [(String, String)]) {
        for (key, value) in dimensions {
            switch key {
            case "unit": unit = value
            case "description": description = value
            default: attributes.append(Attribute(key, Int64(value).map(AttributeValue.int) ?? .string(value)))
            }
        }
    }
}

private final class RecordedCounter: CounterHandler, RecordedInstrument {
    let metric: Metric
    let attributes: [Attribute]
    private let total = Atomic<Int64>(0)

    init(label: String, dimensions: [(String, String)]) {
        let parsed = Dimensions(dimensions)
        metric = Metric(name: label, description: parsed.description, unit: parsed.unit ?? "", kind: .sum, temporality: .cumulative, isMonotonic: true)
        attributes = parsed.attributes
    }

    func increment(by amount: Int64) { total.add(amount, ordering: .relaxed) }
    func reset() { total.store(0, ordering: .relaxed) }

    func point(start: UInt64, time: UInt64, resource: TraceModel.Resource, scope: InstrumentationScope) -> MetricPoint {
        MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes, startTimeUnixNano: start, timeUnixNano: time,
                    value: .int(total.load(ordering: .relaxed)))
    }
}

private final class RecordedFloatingPointCounter: FloatingPointCounterHandler, RecordedInstrument {
    let metric: Metric
    let attributes: [Attribute]
    private let total = Mutex(0.0)

    init(label: String, dimensions: [(String, String)]) {
        let parsed = Dimensions(dimensions)
        metric = Metric(name: label, description: parsed.description, unit: parsed.unit ?? "", kind: .sum, temporality: .cumulative, isMonotonic: true)
        attributes = parsed.attributes
    }

    func increment(by amount: Double) { total.withLock { $0 += amount } }
    func reset() { total.withLock { $0 = 0 } }

    func point(start: UInt64, time: UInt64, resource: TraceModel.Resource, scope: InstrumentationScope) -> MetricPoint {
        MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes, startTimeUnixNano: start, timeUnixNano: time,
                    value: .double(total.withLock { $0 }))
    }
}

private final class RecordedGauge: MeterHandler, RecorderHandler, RecordedInstrument {
    let metric: Metric
    let attributes: [Attribute]
    private let value = Mutex(0.0)

    init(label: String, dimensions: [(String, String)]) {
        let parsed = Dimensions(dimensions)
        metric = Metric(name: label, description: parsed.description, unit: parsed.unit ?? "", kind: .gauge)
        attributes = parsed.attributes
    }

    func set(_ value: Int64) { self.value.withLock { $0 = Double(value) } }
    func set(_ value: Double) { self.value.withLock { $0 = value } }
    func increment(by amount: Double) { value.withLock { $0 += amount } }
    func decrement(by amount: Double) { value.withLock { $0 -= amount } }
    func record(_ value: Int64) { set(value) }
    func record(_ value: Double) { set(value) }

    func point(start: UInt64, time: UInt64, resource: TraceModel.Resource, scope: InstrumentationScope) -> MetricPoint {
        MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes, timeUnixNano: time, value: .double(value.withLock { $0 }))
    }
}

private final class RecordedHistogram: TimerHandler, RecorderHandler, RecordedInstrument {
    struct State {
        var count: UInt64 = 0
        var sum = 0.0
        var min = Double.infinity
        var max = -Double.infinity
        var counts: [UInt64]
        /// Per bucket, the last measurement made inside a span.
        var exemplars: [Exemplar?]
    }

    let metric: Metric
    let attributes: [Attribute]
    let bounds: [Double]
    private let state: Mutex<State>

    init(label: String, unit: String, dimensions: [(String, String)], bounds: [Double]) {
        let parsed = Dimensions(dimensions)
        metric = Metric(name: label, description: parsed.description, unit: parsed.unit ?? unit, kind: .histogram, temporality: .cumulative)
        attributes = parsed.attributes
        self.bounds = bounds
        state = Mutex(State(counts: Array(repeating: 0, count: bounds.count + 1), exemplars: Array(repeating: nil, count: bounds.count + 1)))
    }

    func recordNanoseconds(_ duration: Int64) { record(Double(duration) / 1e9) }
    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        // Bucket i holds (bounds[i-1], bounds[i]]; the last, everything above the last bound.
        let bucket = bounds.firstIndex { value <= $0 } ?? bounds.count
        let span = ServiceContext.current?.recordedSpanContext
        let exemplar = span.map { Exemplar(timeUnixNano: DefaultTracerClock.now.nanosecondsSinceEpoch, value: value, traceID: $0.traceID, spanID: $0.spanID) }
        state.withLock { state in
            state.count += 1
            state.sum += value
            state.min = Swift.min(state.min, value)
            state.max = Swift.max(state.max, value)
            state.counts[bucket] += 1
            if let exemplar { state.exemplars[bucket] = exemplar }
        }
    }

    func point(start: UInt64, time: UInt64, resource: TraceModel.Resource, scope: InstrumentationScope) -> MetricPoint {
        let state = state.withLock { $0 }
        let histogram = MetricValue.Histogram(count: state.count, sum: state.sum, min: state.count > 0 ? state.min : nil,
                                              max: state.count > 0 ? state.max : nil, bounds: bounds, counts: state.counts)
        return MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes, startTimeUnixNano: start, timeUnixNano: time,
                           value: .histogram(histogram), exemplars: state.exemplars.compactMap { $0 })
    }
}
