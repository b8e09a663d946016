import TraceModel

/// Latency statistics over many traces, fed one trace at a time: memory grows by one duration
/// (8 bytes) per span, never by the spans. Percentiles are exact (nearest rank).
public struct TraceStatistics: Sendable {
    /// How the operations table groups spans.
    public enum Grouping: String, Sendable, CaseIterable {
        /// One row per (service, span name).
        case name
        /// One row per service.
        case service
        /// Root operations only.
        case root
    }

    /// A service and span name; the name is empty when grouping by service.
    public struct Operation: Hashable, Sendable, Comparable {
        public var service: String
        public var name: String

        public init(service: String, name: String) {
            self.service = service
            self.name = name
        }

        public static func < (a: Operation, b: Operation) -> Bool { (a.service, a.name) < (b.service, b.name) }
    }

    /// A client span and the server span it caused, by operation.
    public struct HopKey: Hashable, Sendable {
        public var client: Operation
        public var server: Operation
    }

    struct Accumulator: Sendable {
        var durations: [UInt64] = []
        var selfNanos: UInt64 = 0
        var errors = 0
    }

    struct HopAccumulator: Sendable {
        var client: [UInt64] = []
        var server: [UInt64] = []
        var network: [UInt64] = []
        var request: [UInt64] = []
        var response: [UInt64] = []
    }

    public let grouping: Grouping
    var tally: Tally<String>

    public init(grouping: Grouping = .name) {
        self.grouping = grouping
        tally = Tally(grouping: grouping)
    }

    init(_ tally: Tally<String>) {
        grouping = tally.grouping
        self.tally = tally
    }

    public mutating func add(_ trace: Trace) {
        tally.add(trace.spans, startTimeUnixNano: trace.startTimeUnixNano, endTimeUnixNano: trace.endTimeUnixNano)
    }

    public var traceCount: Int { tally.traceCount }
    public var errorTraceCount: Int { tally.errorTraceCount }
    public var firstStartUnixNano: UInt64 { tally.firstStartUnixNano }
    public var lastStartUnixNano: UInt64 { tally.lastStartUnixNano }
    public var lastEndUnixNano: UInt64 { tally.lastEndUnixNano }
    /// Where the traces' time went, along their critical paths and beside them.
    public var time: TimeAccount { tally.time.account }

    // MARK: Results

    public struct Distribution: Sendable, Equatable {
        public var p50: UInt64
        public var p90: UInt64
        public var p99: UInt64
        public var max: UInt64

        public init(p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64) {
            (self.p50, self.p90, self.p99, self.max) = (p50, p90, p99, max)
        }

        init?(_ values: [UInt64]) {
            let sample = Percentiles(values)
            guard let p50 = sample.value(at: 50), let p90 = sample.value(at: 90), let p99 = sample.value(at: 99), let max = sample.maximum else { return nil }
            (self.p50, self.p90, self.p99, self.max) = (p50, p90, p99, max)
        }
    }

    public struct OperationRow: Sendable, Equatable {
        public var operation: Operation
        public var count: Int
        public var errors: Int
        public var duration: Distribution
        public var meanSelfNanos: UInt64
    }

    public struct HopRow: Sendable, Equatable {
        public var hop: HopKey
        public var calls: Int
        public var client: Distribution
        public var server: Distribution
        /// Client time outside the server span: on the wire and in queues.
        public var network: Distribution
        /// Client start to server start, and server end to client end; nil when no call had the
        /// server span inside the client span (clocks of two hosts disagree).
        public var request: Distribution?
        public var response: Distribution?
        /// Calls whose server span was not inside the client span, left out of the legs.
        public var skewedCalls: Int
    }

    public var tracesPerSecond: Double? {
        guard traceCount > 1, lastStartUnixNano > firstStartUnixNano else { return nil }
        return Double(traceCount - 1) / (Double(lastStartUnixNano - firstStartUnixNano) / 1e9)
    }

    /// Durations of whole traces (first span start to last span end).
    public var traceDuration: Distribution? { Distribution(tally.traceDurations) }

    /// Root operations, most frequent first.
    public var rootRows: [OperationRow] { Self.rows(tally.roots) }

    /// Spans by the grouping, most frequent first (empty when grouping by root).
    public var operationRows: [OperationRow] { Self.rows(tally.operations) }

    /// Cross-service hops, most frequent first.
    public var hopRows: [HopRow] {
        tally.hops.compactMap { key, value in
            guard let client = Distribution(value.client), let server = Distribution(value.server), let network = Distribution(value.network) else { return nil }
            return HopRow(hop: HopKey(key), calls: value.client.count, client: client, server: server, network: network,
                          request: Distribution(value.request), response: Distribution(value.response),
                          skewedCalls: value.client.count - value.request.count)
        }.sorted { ($1.calls, $0.hop.client, $0.hop.server) < ($0.calls, $1.hop.client, $1.hop.server) }
    }

    /// Trace durations on log-scaled buckets.
    public var histogram: LatencyHistogram { LatencyHistogram(tally.traceDurations) }

    private static func rows(_ groups: [Tally<String>.Operation: Accumulator]) -> [OperationRow] {
        groups.compactMap { key, value in
            guard let duration = Distribution(value.durations) else { return nil }
            return OperationRow(operation: Operation(key), count: value.durations.count, errors: value.errors, duration: duration,
                                meanSelfNanos: value.selfNanos / UInt64(value.durations.count))
        }.sorted { ($1.count, $0.operation) < ($0.count, $1.operation) }
    }
}

extension TraceStatistics.HopKey: Comparable {
    public static func < (a: Self, b: Self) -> Bool { (a.client, a.server) < (b.client, b.server) }
}

extension TraceStatistics {
    /// Sorts every sample in place. Each parallel part does this before `merge`: the results sort
    /// two runs already in order, which costs a merge rather than a sort.
    public mutating func sortSamples() { tally.sortSamples() }

    /// Adds the traces another accumulator saw (a disjoint set), so parts of a file can be read
    /// in parallel and combined; the result is the same as adding every trace to one.
    public mutating func merge(_ other: TraceStatistics) {
        precondition(grouping == other.grouping, "merging statistics grouped differently")
        tally.merge(other.tally)
    }
}

extension TraceStatistics.Operation {
    init(_ key: Tally<String>.Operation) { self.init(service: key.service, name: key.name ?? "") }
}

extension TraceStatistics.HopKey {
    init(_ key: Tally<String>.HopKey) { self.init(client: .init(key.client), server: .init(key.server)) }
}

extension TraceStatistics.Accumulator {
    mutating func add(_ nanos: UInt64, selfNanos: UInt64, error: Bool) {
        durations.append(nanos)
        self.selfNanos += selfNanos
        if error { errors += 1 }
    }

    func merged(with other: Self) -> Self {
        Self(durations: durations + other.durations, selfNanos: selfNanos + other.selfNanos, errors: errors + other.errors)
    }
}

extension TraceStatistics.HopAccumulator {
    func merged(with other: Self) -> Self {
        Self(client: client + other.client, server: server + other.server, network: network + other.network,
             request: request + other.request, response: response + other.response)
    }

    mutating func add(client: some TimedSpan, server: some TimedSpan) {
        self.client.append(client.durationNanos)
        self.server.append(server.durationNanos)
        network.append(client.durationNanos > server.durationNanos ? client.durationNanos - server.durationNanos : 0)
        if client.startTimeUnixNano <= server.startTimeUnixNano, server.endTimeUnixNano <= client.endTimeUnixNano {
            request.append(server.startTimeUnixNano - client.startTimeUnixNano)
            response.append(client.endTimeUnixNano - server.endTimeUnixNano)
        }
    }
}
