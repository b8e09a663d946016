/// What a metric is, apart from its points: OTLP identifies a metric stream by these (and by the
/// resource and scope it comes from).
public struct Metric: Hashable, Sendable {
    public enum Kind: Int, Sendable, CaseIterable {
        case gauge = 1, sum, histogram, exponentialHistogram, summary

        public var name: String {
            switch self {
            case .gauge: "gauge"
            case .sum: "sum"
            case .histogram: "histogram"
            case .exponentialHistogram: "exponential histogram"
            case .summary: "summary"
            }
        }
    }

    /// How a sum or histogram's successive points relate: each since the last (delta) or since a fixed start (cumulative).
    public enum Temporality: Int, Sendable {
        case unspecified = 0, delta, cumulative
    }

    public var name: String
    public var description: String
    public var unit: String
    public var kind: Kind
    /// For sums and histograms; `.unspecified` for gauges and summaries.
    public var temporality: Temporality
    /// For sums: whether it only goes up (a counter) rather than up and down.
    public var isMonotonic: Bool

    public init(name: String, description: String = "", unit: String = "", kind: Kind, temporality: Temporality = .unspecified, isMonotonic: Bool = false) {
        self.name = name
        self.description = description
        self.unit = unit
        self.kind = kind
        self.temporality = temporality
        self.isMonotonic = isMonotonic
    }
}

/// One data point of one metric, with the series it belongs to (resource, scope, attributes).
public struct MetricPoint: Hashable, Sendable {
    public var metric: Metric
    public var resource: Resource
    public var scope: InstrumentationScope
    public var attributes: [Attribute]
    /// When a cumulative or delta point's interval began; 0 when the sender did not say.
    public var startTimeUnixNano: UInt64
    public var timeUnixNano: UInt64
    public var flags: UInt32
    public var value: MetricValue
    public var exemplars: [Exemplar]

    public init(metric: Metric, resource: Resource = Resource(), scope: InstrumentationScope = InstrumentationScope(), attributes: [Attribute] = [],
                startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, flags: UInt32 = 0, value: MetricValue, exemplars: [Exemplar] = []) {
        self.metric = metric
        self.resource = resource
        self.scope = scope
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.flags = flags
        self.value = value
        self.exemplars = exemplars
    }
}

/// A point's value, of the kind its metric is.
public enum MetricValue: Hashable, Sendable {
    /// A gauge's or a sum's value, as sent: an integer or a double.
    case int(Int64)
    case double(Double)
    case histogram(Histogram)
    case exponentialHistogram(ExponentialHistogram)
    case summary(Summary)

    /// Explicit bucket boundaries: `counts` has one more entry than `bounds` (the last is above every bound).
    public struct Histogram: Hashable, Sendable {
        public var count: UInt64
        public var sum: Double?
        public var min: Double?
        public var max: Double?
        public var bounds: [Double]
        public var counts: [UInt64]

        public init(count: UInt64, sum: Double? = nil, min: Double? = nil, max: Double? = nil, bounds: [Double], counts: [UInt64]) {
            self.count = count
            self.sum = sum
            self.min = min
            self.max = max
            self.bounds = bounds
            self.counts = counts
        }
    }

    /// Base-2 exponential buckets: bucket `i` of a side covers (base^(offset+i), base^(offset+i+1)], base = 2^(2^-scale).
    public struct ExponentialHistogram: Hashable, Sendable {
        public struct Buckets: Hashable, Sendable {
            public var offset: Int32
            public var counts: [UInt64]

            public init(offset: Int32 = 0, counts: [UInt64] = []) {
                self.offset = offset
                self.counts = counts
            }
        }

        public var count: UInt64
        public var sum: Double?
        public var min: Double?
        public var max: Double?
        public var scale: Int32
        public var zeroCount: UInt64
        public var zeroThreshold: Double
        public var positive: Buckets
        public var negative: Buckets

        public init(count: UInt64, sum: Double? = nil, min: Double? = nil, max: Double? = nil, scale: Int32, zeroCount: UInt64 = 0,
                    zeroThreshold: Double = 0, positive: Buckets = Buckets(), negative: Buckets = Buckets()) {
            self.count = count
            self.sum = sum
            self.min = min
            self.max = max
            self.scale = scale
            self.zeroCount = zeroCount
            self.zeroThreshold = zeroThreshold
            self.positive = positive
            self.negative = negative
        }
    }

    public struct Summary: Hashable, Sendable {
        public struct Quantile: Hashable, Sendable {
            public var quantile: Double
            public var value: Double

            public init(quantile: Double, value: Double) {
                self.quantile = quantile
                self.value = value
            }
        }

        public var count: UInt64
        public var sum: Double
        public var quantiles: [Quantile]

        public init(count: UInt64, sum: Double, quantiles: [Quantile] = []) {
            self.count = count
            self.sum = sum
            self.quantiles = quantiles
        }
    }
}

/// A measurement a point counted, with the trace it was made in: the way from a metric back to a trace.
public struct Exemplar: Hashable, Sendable {
    public var timeUnixNano: UInt64
    public var value: Double
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var filteredAttributes: [Attribute]

    public init(timeUnixNano: UInt64, value: Double, traceID: TraceID? = nil, spanID: SpanID? = nil, filteredAttributes: [Attribute] = []) {
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.traceID = traceID
        self.spanID = spanID
        self.filteredAttributes = filteredAttributes
    }
}

/// One stored metric as `trace metrics` lists it: what it is, how much of it there is, and its latest point.
public struct MetricSummary: Sendable, Equatable {
    public var metric: Metric
    public var seriesCount: Int
    public var pointCount: Int
    /// The most recent point of each of its series.
    public var latest: [MetricPoint]

    public init(metric: Metric, seriesCount: Int, pointCount: Int, latest: [MetricPoint]) {
        self.metric = metric
        self.seriesCount = seriesCount
        self.pointCount = pointCount
        self.latest = latest
    }
}

/// One series of a metric as `trace metrics NAME` lists it: its newest point and how many it has.
public struct MetricSeriesSummary: Sendable, Equatable {
    public var latest: MetricPoint
    public var pointCount: Int

    public init(latest: MetricPoint, pointCount: Int) {
        self.latest = latest
        self.pointCount = pointCount
    }
}

/// One series of a metric over a window, as a chart reads it: the newest point before the window
/// (where a cumulative series' increase starts from) and, in the window, the newest point of each
/// step, or every point for delta temporality (whose points add up).
public struct MetricSeriesHistory: Sendable, Equatable {
    public var baseline: MetricPoint?
    public var points: [MetricPoint]

    public init(baseline: MetricPoint?, points: [MetricPoint]) {
        self.baseline = baseline
        self.points = points
    }

    /// The series' newest point (in the window, else the baseline): its identity and attributes.
    public var newest: MetricPoint? { points.last ?? baseline }
}

/// Where a metric's points lie in time: the oldest and newest, and the usual gap between a series' points.
public struct MetricTimeSpan: Sendable, Equatable {
    public var oldest: UInt64
    public var newest: UInt64
    /// The median over series of the gap between their two oldest points; 0 when no series has two.
    public var typicalInterval: UInt64

    public init(oldest: UInt64, newest: UInt64, typicalInterval: UInt64) {
        self.oldest = oldest
        self.newest = newest
        self.typicalInterval = typicalInterval
    }
}
