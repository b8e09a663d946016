import TraceModel

/// What `TraceStatistics` adds up, by a `TimedSpan`'s key: names for `Span`s, numbers for
/// `SpanTiming`s (hashing an integer rather than a name per span), renamed once at the end.
struct Tally<Key: Hashable & Sendable>: Sendable {
    /// A service and span name; no name when grouping by service.
    struct Operation: Hashable, Sendable {
        var service: Key
        var name: Key?
    }

    struct HopKey: Hashable, Sendable {
        var client: Operation
        var server: Operation
    }

    /// `TimeAccount`'s sums, by bucket.
    struct Time: Sendable {
        var traces = 0
        var traceNanos: UInt64 = 0
        var pathNanos: [Bucket<Key>: UInt64] = [:]
        var parallelNanos: [Bucket<Key>: UInt64] = [:]
    }

    let grouping: TraceStatistics.Grouping
    var traceCount = 0
    var errorTraceCount = 0
    var firstStartUnixNano = UInt64.max
    var lastStartUnixNano: UInt64 = 0
    var lastEndUnixNano: UInt64 = 0
    var traceDurations: [UInt64] = []
    var roots: [Operation: TraceStatistics.Accumulator] = [:]
    var operations: [Operation: TraceStatistics.Accumulator] { operationsBySpan.dictionary }
    var hops: [HopKey: TraceStatistics.HopAccumulator] { hopsByServer.dictionary }
    /// By each span's place in its trace, and each hop's server span's.
    private var operationsBySpan = PositionMemoDictionary<Operation, TraceStatistics.Accumulator>()
    private var hopsByServer = PositionMemoDictionary<HopKey, TraceStatistics.HopAccumulator>()
    var time = Time()
    private var links = SpanLinks()
    private var workspace = TimingWorkspace<Key>()

    init(grouping: TraceStatistics.Grouping) {
        self.grouping = grouping
    }

    /// Adds one trace: its spans in `Trace`'s order, and its start and end.
    mutating func add<S: TimedSpan>(_ spans: [S], startTimeUnixNano: UInt64, endTimeUnixNano: UInt64) where S.Key == Key {
        guard !spans.isEmpty else { return }
        links.rebuild(spans)
        // Read while the sums change; let go of before the next trace's `rebuild`, which then
        // finds the arrays its own.
        let links = self.links
        let durationNanos = endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0
        traceCount += 1
        let hasError = spans.contains(where: \.isError)
        if hasError { errorTraceCount += 1 }
        firstStartUnixNano = min(firstStartUnixNano, startTimeUnixNano)
        lastStartUnixNano = max(lastStartUnixNano, startTimeUnixNano)
        lastEndUnixNano = max(lastEndUnixNano, endTimeUnixNano)
        traceDurations.append(durationNanos)
        workspace.time(spans, links, durationNanos: durationNanos)
        time.traces += 1
        for (bucket, nanos) in workspace.path {
            time.traceNanos += nanos
            time.pathNanos[bucket, default: 0] += nanos
        }
        for (bucket, nanos) in workspace.parallel { time.parallelNanos[bucket, default: 0] += nanos }
        func selfNanos(_ index: Int) -> UInt64 { LatencyBreakdown.selfNanos(of: index, children: links.children[index], in: spans) }
        if let rootIndex = spans.firstIndex(where: { $0.parentSpanID == nil }) {
            roots[Operation(service: spans[rootIndex].serviceKey, name: spans[rootIndex].nameKey), default: .init()]
                .add(durationNanos, selfNanos: selfNanos(rootIndex), error: hasError)
        }
        guard grouping != .root else { return }
        for index in spans.indices {
            let span = spans[index]
            let key = Operation(service: span.serviceKey, name: grouping == .service ? nil : span.nameKey)
            let spanSelfNanos = selfNanos(index)
            operationsBySpan.update(key, at: index, initial: .init()) { $0.add(span.durationNanos, selfNanos: spanSelfNanos, error: span.isError) }
            for child in links.children[index]
            where LatencyBreakdown.isHop(clientService: span.serviceKey, clientKind: span.kind, serverService: spans[child].serviceKey, serverKind: spans[child].kind) {
                let hop = HopKey(client: Operation(service: span.serviceKey, name: span.nameKey), server: Operation(service: spans[child].serviceKey, name: spans[child].nameKey))
                hopsByServer.update(hop, at: child, initial: .init()) { $0.add(client: span, server: spans[child]) }
            }
        }
    }

    mutating func sortSamples() {
        traceDurations.radixSort()
        for key in roots.keys { roots[key]!.durations.radixSort() }
        operationsBySpan.updateAll { $0.durations.radixSort() }
        hopsByServer.updateAll { hop in
            hop.client.radixSort()
            hop.server.radixSort()
            hop.network.radixSort()
            hop.request.radixSort()
            hop.response.radixSort()
        }
    }

    mutating func merge(_ other: Self) {
        traceCount += other.traceCount
        errorTraceCount += other.errorTraceCount
        firstStartUnixNano = min(firstStartUnixNano, other.firstStartUnixNano)
        lastStartUnixNano = max(lastStartUnixNano, other.lastStartUnixNano)
        lastEndUnixNano = max(lastEndUnixNano, other.lastEndUnixNano)
        traceDurations += other.traceDurations
        roots.merge(other.roots) { $0.merged(with: $1) }
        operationsBySpan.merge(other.operations) { $0.merged(with: $1) }
        hopsByServer.merge(other.hops) { $0.merged(with: $1) }
        time.traces += other.time.traces
        time.traceNanos += other.time.traceNanos
        time.pathNanos.merge(other.time.pathNanos, uniquingKeysWith: +)
        time.parallelNanos.merge(other.time.parallelNanos, uniquingKeysWith: +)
    }

    /// The same sums under other keys (distinct keys must stay distinct).
    func renamed<New>(_ rename: (Key) -> New) -> Tally<New> {
        func operation(_ key: Operation) -> Tally<New>.Operation { .init(service: rename(key.service), name: key.name.map(rename)) }
        var renamed = Tally<New>(grouping: grouping)
        (renamed.traceCount, renamed.errorTraceCount) = (traceCount, errorTraceCount)
        (renamed.firstStartUnixNano, renamed.lastStartUnixNano, renamed.lastEndUnixNano) = (firstStartUnixNano, lastStartUnixNano, lastEndUnixNano)
        renamed.traceDurations = traceDurations
        renamed.roots = Dictionary(roots.map { (operation($0.key), $0.value) }) { $0.merged(with: $1) }
        renamed.operationsBySpan = .init(Dictionary(operations.map { (operation($0.key), $0.value) }) { $0.merged(with: $1) })
        renamed.hopsByServer = .init(Dictionary(hops.map { (Tally<New>.HopKey(client: operation($0.key.client), server: operation($0.key.server)), $0.value) }) { $0.merged(with: $1) })
        renamed.time = .init(traces: time.traces, traceNanos: time.traceNanos,
                             pathNanos: Dictionary(time.pathNanos.map { ($0.key.map(rename), $0.value) }, uniquingKeysWith: +),
                             parallelNanos: Dictionary(time.parallelNanos.map { ($0.key.map(rename), $0.value) }, uniquingKeysWith: +))
        return renamed
    }
}

extension Tally.Time where Key == String {
    var account: TimeAccount {
        TimeAccount(traces: traces, traceNanos: traceNanos,
                    pathNanos: Dictionary(uniqueKeysWithValues: pathNanos.map { (TimeBucket($0.key), $0.value) }),
                    parallelNanos: Dictionary(uniqueKeysWithValues: parallelNanos.map { (TimeBucket($0.key), $0.value) }))
    }
}

/// `TraceStatistics` fed `TraceTimings`: what `trace stats` reads a whole file with, names as the
/// read's numbers until `statistics(names:)`.
public struct TimingStatistics: Sendable {
    var tally: Tally<Int32>

    public init(grouping: TraceStatistics.Grouping = .name) {
        tally = Tally(grouping: grouping)
    }

    public mutating func add(_ trace: TraceTimings) {
        tally.add(trace.spans, startTimeUnixNano: trace.startTimeUnixNano, endTimeUnixNano: trace.endTimeUnixNano)
    }

    /// As `TraceStatistics.sortSamples()`, before the parts are combined.
    public mutating func sortSamples() { tally.sortSamples() }

    /// The statistics with the numbers named by the read that made them.
    public func statistics(names: TimingNames) -> TraceStatistics {
        TraceStatistics(tally.renamed { names[$0] })
    }
}
