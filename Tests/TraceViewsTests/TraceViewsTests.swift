import Foundation
import Testing
import TraceModel
@testable import TraceViews

@Suite struct DurationFormatTests {
    @Test(arguments: [
        (UInt64(0), "0ns"), (999, "999ns"), (842_000, "842µs"), (12_345_678, "12.3ms"), (1_240_000_000, "1.24s"),
        (1_000_000, "1ms"), (100_000_000, "100ms"), (125_000_000_000, "2m05s"), (7_260_000_000_000, "2h01m"),
        (1_234, "1.23µs"), (1_005, "1.01µs"), (1_050, "1.05µs"), (1_999, "2µs"), (10_050, "10.1µs"), (999_499, "999µs"),
        (999_500, "1000µs"), (59_994_000_000, "60s"), (5_994_000_000, "5.99s"), (9_996_000, "10ms"),
    ])
    func formats(nanos: UInt64, text: String) {
        #expect(DurationFormat.string(nanos: nanos) == text)
    }

    @Test(arguments: [
        ("842µs", UInt64(842_000)), ("842us", 842_000), ("12.3ms", 12_300_000), ("1.24s", 1_240_000_000), ("0", 0),
        ("2m05s", 125_000_000_000), ("1h30m", 5_400_000_000_000), ("250ns", 250), (" 5ms ", 5_000_000), ("7d", 604_800_000_000_000),
    ])
    func parses(text: String, nanos: UInt64) {
        #expect(DurationFormat.parse(text) == nanos)
    }

    @Test(arguments: ["", "ms", "5", "5 parsecs", "-5ms", "1e3ms", "5ms junk"])
    func rejects(text: String) {
        #expect(DurationFormat.parse(text) == nil)
    }

    @Test func negativeDurationsKeepTheirSign() {
        #expect(DurationFormat.string(nanos: Int64(-1_500_000)) == "-1.5ms")
        #expect(DurationFormat.string(.milliseconds(500)) == "500ms")
        #expect(DurationFormat.string(.seconds(-2)) == "-2s")
    }
}

@Suite struct TerminalTextTests {
    @Test func escapesControlCharactersAndEscapeSequences() {
        #expect(TerminalText.escaped("plain name") == "plain name")
        #expect(TerminalText.escaped("evil\u{1B}[31mred\u{07}") == "evil\\e[31mred\\x07")
        #expect(TerminalText.escaped("two\nlines\ttab") == "two\\nlines\\ttab")
        #expect(TerminalText.escaped("c1\u{9B}31m") == "c1\\x9b31m")
        #expect(TerminalText.escaped("bidi\u{202E}txet") == "bidi\\u{202e}txet")
        #expect(TerminalText.escaped("日本語 ✓") == "日本語 ✓")
    }

    @Test func measuresWideCharacters() {
        #expect(TerminalText.width("abc") == 3)
        #expect(TerminalText.width("日本") == 4)
        #expect(TerminalText.width("🚀x") == 3)
        #expect(TerminalText.padded("日本語", columns: 5) == "日本…")
        #expect(TerminalText.width(TerminalText.padded("日本語", columns: 5)) == 5)
        #expect(TerminalText.padded("ab", columns: 4, alignRight: true) == "  ab")
    }

    @Test func wrapsLongTextByColumnsWithAnIndent() {
        #expect(TerminalText.wrapped("short", columns: 10) == ["short"])
        #expect(TerminalText.wrapped("  key = abcdefghij", columns: 10, indent: 4) == ["  key = ab", "    cdefgh", "    ij"])
        // A wide character never straddles two lines; escapes are made before wrapping.
        #expect(TerminalText.wrapped("ab日本語", columns: 5) == ["ab日", "本語"])
        #expect(TerminalText.wrapped("x\u{1B}yz", columns: 3) == ["x\\e", "yz"])
        // Prose breaks at spaces; a word longer than the line still breaks inside it.
        #expect(TerminalText.wrapped("one two three four", columns: 9, indent: 2, atSpaces: true) == ["one two", "  three", "  four"])
        #expect(TerminalText.wrapped("abcdefghijk lm", columns: 5, atSpaces: true) == ["abcde", "fghij", "k lm"])
    }
}

@Suite struct PercentilesTests {
    @Test func nearestRank() {
        let sample = Percentiles((1...100).map { UInt64($0) }.shuffled())
        #expect(sample.value(at: 50) == 50)
        #expect(sample.value(at: 90) == 90)
        #expect(sample.value(at: 99) == 99)
        #expect(sample.value(at: 100) == 100)
        #expect(sample.maximum == 100)
        #expect(Percentiles([7]).value(at: 99) == 7)
        #expect(Percentiles([]).value(at: 50) == nil)
    }
}

/// A hand-built trace: frontend root 0–100ms, client 10–90ms, backend server 30–70ms with a child
/// 40–50ms, and a frontend network phase span 12–88ms under the client. `backendSlowerBy` ms
/// lengthens the backend's server span, and everything waiting on it, by that much.
func handBuiltTrace(backendSlowerBy extra: UInt64 = 0, id: TraceID = TraceID(high: 1, low: 2)) -> Trace {
    let frontend = Resource(attributes: [Attribute("service.name", .string("frontend"))])
    let backend = Resource(attributes: [Attribute("service.name", .string("backend"))])
    let ms: UInt64 = 1_000_000
    let t0: UInt64 = 1_000_000_000_000
    func span(_ spanID: UInt64, _ parent: UInt64?, _ name: String, _ kind: SpanKind, _ start: UInt64, _ end: UInt64, _ resource: Resource) -> Span {
        Span(traceID: id, spanID: SpanID(spanID), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
             startTimeUnixNano: t0 + start * ms, endTimeUnixNano: t0 + end * ms,
             events: name == "GET /" ? [SpanEvent(timeUnixNano: t0 + 35 * ms, name: "handling request")] : [], resource: resource)
    }
    return Trace(traceID: id, spans: [
        span(3, 2, "GET /", .server, 30, 70 + extra, backend),
        span(1, nil, "incoming call", .server, 0, 100 + extra, frontend),
        span(4, 3, "query", .internal, 40, 50, backend),
        span(2, 1, "backend call", .client, 10, 90 + extra, frontend),
        span(5, 2, "http.wait", .internal, 12, 88 + extra, frontend),
    ])
}

@Suite struct LatencyBreakdownTests {
    @Test func splitsTimeBetweenServicesAndNetwork() {
        let breakdown = LatencyBreakdown(trace: handBuiltTrace())
        let ms: UInt64 = 1_000_000
        #expect(breakdown.hops.count == 1)
        let hop = breakdown.hops[0]
        #expect(hop.clientName == "backend call")
        #expect(hop.serverName == "GET /")
        #expect(hop.networkNanos == 40 * ms)
        // frontend: root 100 − client 80 = 20; backend: server 40 (30 self + 10 child); network: 80 − 40.
        let expected: [TimeBucket: UInt64] = [.service("frontend"): 20 * ms, .service("backend"): 40 * ms, .network: 40 * ms]
        #expect(breakdown.pathNanos == expected)
        #expect(breakdown.parallelNanos == [:])
        #expect(breakdown.totalNanos == 100 * ms)
    }

    @Test func overlappingChildrenAreCountedOnce() {
        let resource = Resource(attributes: [Attribute("service.name", .string("solo"))])
        let id = TraceID(high: 5, low: 5)
        let spans = [
            Span(traceID: id, spanID: SpanID(1), name: "root", startTimeUnixNano: 0, endTimeUnixNano: 100, resource: resource),
            Span(traceID: id, spanID: SpanID(2), parentSpanID: SpanID(1), name: "a", startTimeUnixNano: 10, endTimeUnixNano: 60, resource: resource),
            Span(traceID: id, spanID: SpanID(3), parentSpanID: SpanID(1), name: "b", startTimeUnixNano: 40, endTimeUnixNano: 80, resource: resource),
        ]
        // Along the path: root 80–100, b 40–80, root 0–40 (a still ran at 40, so it is beside the path).
        let breakdown = LatencyBreakdown(trace: Trace(traceID: id, spans: spans))
        #expect(breakdown.pathNanos == [.service("solo"): 100])
        #expect(breakdown.parallelNanos == [.service("solo"): 50])
    }

    @Test func aServiceNamedNetworkIsNotTheNetwork() {
        let client = Resource(attributes: [Attribute("service.name", .string("network"))])
        let server = Resource(attributes: [Attribute("service.name", .string("db"))])
        let id = TraceID(high: 6, low: 6)
        let spans = [
            Span(traceID: id, spanID: SpanID(1), name: "root", kind: .server, startTimeUnixNano: 0, endTimeUnixNano: 100, resource: client),
            Span(traceID: id, spanID: SpanID(2), parentSpanID: SpanID(1), name: "call", kind: .client, startTimeUnixNano: 10, endTimeUnixNano: 90, resource: client),
            Span(traceID: id, spanID: SpanID(3), parentSpanID: SpanID(2), name: "GET", kind: .server, startTimeUnixNano: 30, endTimeUnixNano: 70, resource: server),
        ]
        let breakdown = LatencyBreakdown(trace: Trace(traceID: id, spans: spans))
        #expect(breakdown.pathNanos == [.service("network"): 20, .network: 40, .service("db"): 40])
        let lines = WaterfallText.buckets(breakdown.pathNanos, total: 100, style: TextStyle(colors: false))
        #expect(lines.count == 3)
        #expect(lines.contains { $0.contains("network (service)") })
        #expect(CriticalPath(trace: Trace(traceID: id, spans: spans)).nanosByBucket == [.service("network"): 20, .network: 40, .service("db"): 40])
    }
}

@Suite struct CriticalPathTests {
    let ms: UInt64 = 1_000_000

    func solo(_ spans: [(id: UInt64, parent: UInt64?, name: String, start: UInt64, end: UInt64)]) -> Trace {
        let resource = Resource(attributes: [Attribute("service.name", .string("solo"))])
        let id = TraceID(high: 7, low: 7)
        return Trace(traceID: id, spans: spans.map {
            Span(traceID: id, spanID: SpanID($0.id), parentSpanID: $0.parent.map(SpanID.init), name: $0.name,
                 startTimeUnixNano: $0.start * ms, endTimeUnixNano: $0.end * ms, resource: resource)
        })
    }

    func walk(_ path: CriticalPath, _ trace: Trace) -> [String] {
        path.segments.map { segment in
            "\(trace.spans.first { $0.spanID == segment.spanID }!.name) \((segment.startUnixNano - trace.startTimeUnixNano) / ms)-\((segment.endUnixNano - trace.startTimeUnixNano) / ms)"
        }
    }

    @Test func followsTheChildThatFinishedLastAndSkipsParallelWorkThatFinishedEarlier() {
        // root 0–100: a 10–40 and b 10–70 run in parallel, then c 75–95.
        let trace = solo([(1, nil, "root", 0, 100), (2, 1, "a", 10, 40), (3, 1, "b", 10, 70), (4, 1, "c", 75, 95)])
        let path = CriticalPath(trace: trace)
        #expect(walk(path, trace) == ["root 0-10", "b 10-70", "root 70-75", "c 75-95", "root 95-100"])
        #expect(path.spanIDs == [SpanID(1), SpanID(3), SpanID(4)])
        #expect(path.totalNanos == 100 * ms)
    }

    struct PathCase: Sendable, CustomTestStringConvertible {
        var name: String
        var shape: [(id: UInt64, parent: UInt64?, name: String, start: UInt64, end: UInt64)]
        var path: [String]
        var parallelMs: UInt64
        var testDescription: String { name }
    }

    static let pathCases: [PathCase] = [
        // The issue's own trace: c1 ends after c2 began, so shortening c1 cannot shorten the trace.
        PathCase(name: "parallel children", shape: [(1, nil, "root", 0, 100), (2, 1, "c1", 0, 40), (3, 1, "c2", 10, 90), (4, 3, "c3", 20, 80)],
                 path: ["root 0-10", "c2 10-20", "c3 20-80", "c2 80-90", "root 90-100"], parallelMs: 40),
        PathCase(name: "fan-out", shape: [(1, nil, "root", 0, 100), (2, 1, "a", 10, 50), (3, 1, "b", 10, 80), (4, 1, "c", 10, 30)],
                 path: ["root 0-10", "b 10-80", "root 80-100"], parallelMs: 60),
        PathCase(name: "sequential", shape: [(1, nil, "root", 0, 100), (2, 1, "a", 0, 30), (3, 1, "b", 30, 60), (4, 1, "c", 60, 100)],
                 path: ["a 0-30", "b 30-60", "c 60-100"], parallelMs: 0),
        PathCase(name: "overlap", shape: [(1, nil, "root", 0, 100), (2, 1, "a", 0, 60), (3, 1, "b", 50, 100), (4, 2, "a.child", 55, 58)],
                 path: ["root 0-50", "b 50-100"], parallelMs: 60),
        PathCase(name: "a child running past its parent's end", shape: [(1, nil, "root", 0, 100), (2, 1, "mid", 10, 60), (3, 2, "late", 40, 90)],
                 path: ["root 0-10", "mid 10-40", "late 40-60", "root 60-100"], parallelMs: 0),
        PathCase(name: "a follows-from span starting after its parent ended", shape: [(1, nil, "root", 0, 100), (2, 1, "work", 10, 50), (3, 2, "after", 60, 80)],
                 path: ["root 0-10", "work 10-50", "root 50-100"], parallelMs: 20),
        // Of children ending together, the longer one explains more of the wait.
        PathCase(name: "equal end times", shape: [(1, nil, "root", 0, 100), (2, 1, "short", 60, 90), (3, 1, "long", 20, 90), (4, 1, "tail", 90, 100)],
                 path: ["root 0-20", "long 20-90", "tail 90-100"], parallelMs: 30),
    ]

    /// Each case of issue 12, with the path Jaeger's rule gives and a breakdown that adds up to
    /// the trace's duration, the work beside the path reported apart.
    @Test(arguments: pathCases)
    func followsJaegersRuleAndTheBreakdownAddsUpToTheDuration(_ example: PathCase) {
        let trace = solo(example.shape)
        let path = CriticalPath(trace: trace)
        #expect(walk(path, trace) == example.path)
        let breakdown = LatencyBreakdown(trace: trace)
        #expect(breakdown.totalNanos == trace.durationNanos, "the breakdown adds up to the duration")
        #expect(breakdown.pathNanos == [.service("solo"): 100 * ms])
        #expect(breakdown.parallelNanos[.service("solo"), default: 0] == example.parallelMs * ms, "the work beside the path")
        let text = WaterfallText.breakdown(breakdown, total: trace.durationNanos, style: .plain)
        #expect(text.contains { $0.hasSuffix("100.0%") })
        #expect(text.contains { $0.contains("in parallel, off the critical path") } == (example.parallelMs > 0))
    }

    /// The request arrived while the client was still sending: the server span begins inside
    /// `http.send`, not `http.wait`. It is taken as the wait's (it overlaps it most) and counted
    /// only from the wait's start, so the path still adds up to the duration.
    @Test func aServerStartingBeforeTheWaitStepIsClippedToIt() {
        let frontend = Resource(attributes: [Attribute("service.name", .string("frontend"))])
        let backend = Resource(attributes: [Attribute("service.name", .string("backend"))])
        let id = TraceID(high: 3, low: 3)
        func span(_ spanID: UInt64, _ parent: UInt64?, _ name: String, _ kind: SpanKind, _ start: UInt64, _ end: UInt64, _ resource: Resource) -> Span {
            Span(traceID: id, spanID: SpanID(spanID), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
                 startTimeUnixNano: start * ms, endTimeUnixNano: end * ms, resource: resource)
        }
        let trace = Trace(traceID: id, spans: [
            span(1, nil, "incoming call", .server, 0, 100, frontend), span(2, 1, "backend call", .client, 10, 90, frontend),
            span(3, 2, "http.send", .internal, 10, 30, frontend), span(4, 2, "http.wait", .internal, 30, 88, frontend),
            span(5, 2, "GET /", .server, 25, 80, backend),
        ])
        let path = CriticalPath(trace: trace)
        #expect(walk(path, trace) == ["incoming call 0-10", "http.send 10-30", "GET / 30-80", "http.wait 80-88", "backend call 88-90", "incoming call 90-100"])
        #expect(path.nanosByBucket == [.service("frontend"): 20 * ms, .network: 30 * ms, .service("backend"): 50 * ms])
        #expect(LatencyBreakdown(trace: trace).totalNanos == 100 * ms)
    }

    @Test func goesThroughTheRemoteServerInsideTheClientsWaitAndCountsTheRestAsNetwork() {
        let trace = handBuiltTrace()
        let path = CriticalPath(trace: trace)
        #expect(walk(path, trace) == [
            "incoming call 0-10", "backend call 10-12", "http.wait 12-30", "GET / 30-40", "query 40-50", "GET / 50-70",
            "http.wait 70-88", "backend call 88-90", "incoming call 90-100",
        ])
        let expected: [TimeBucket: UInt64] = [.service("frontend"): 20 * ms, .network: 40 * ms, .service("backend"): 40 * ms]
        #expect(path.nanosByBucket == expected)
    }

    @Test func showMarksThePathAndTotalsItPerService() throws {
        let text = WaterfallText.render(trace: handBuiltTrace(), width: 100, verbose: false, style: .plain, criticalPath: true)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("●     GET /") })
        let block = try #require(lines.firstIndex { $0.hasPrefix("Critical path  100ms (100% of the trace)") })
        #expect(Array(lines[(block + 1)...(block + 3)]).map { $0.split(separator: " ").joined(separator: " ") }
            == ["backend 40ms 40.0%", "network 40ms 40.0%", "frontend 20ms 20.0%"])
        #expect(lines[block + 4] == "  through incoming call → backend call → http.wait → GET / → query")
    }
}

@Suite struct WaterfallTests {
    @Test func ordersSpansAsATreeAndPlacesBarsOnOneAxis() {
        let layout = WaterfallLayout(trace: handBuiltTrace())
        #expect(layout.rows.map(\.span.name) == ["incoming call", "backend call", "http.wait", "GET /", "query"])
        #expect(layout.rows.map(\.depth) == [0, 1, 2, 2, 3])
        let bar = layout.barCells(for: layout.rows[3], width: 100)
        #expect(bar.start == 30 && bar.end == 70)
    }

    @Test func collapsedSpansHideTheirSubtree() {
        let layout = WaterfallLayout(trace: handBuiltTrace(), collapsed: [SpanID(2)])
        #expect(layout.rows.map(\.span.name) == ["incoming call", "backend call"])
    }

    @Test func barsUseEighthBlocksAndAreNeverEmpty() {
        #expect(String(WaterfallLayout.barString(start: 1, end: 3.5, width: 5)) == " ██▌ ")
        #expect(String(WaterfallLayout.barString(start: 2, end: 2, width: 4)) == "  ▏ ")
    }

    @Test func rendersAReadableWaterfall() {
        let text = WaterfallText.render(trace: handBuiltTrace(), width: 100, verbose: false, style: .plain, timeZone: TimeZone(identifier: "UTC")!)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Trace 00000000000000010000000000000002")
        #expect(lines[1] == "Start     1970-01-01 00:16:40.000")
        #expect(lines[2] == "Duration  100ms   Spans 5")
        #expect(lines[3] == "Services  frontend, backend")
        #expect(lines.contains { $0.hasPrefix("    GET /") && $0.contains("backend") && $0.contains("40ms") })
        #expect(lines.allSatisfy { TerminalText.width($0) <= 100 })
        #expect(text.contains("frontend → backend: client `backend call` 80ms, server `GET /` 40ms, network & queueing 40ms"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func neverPrintsRawControlCharacters() {
        var spans = handBuiltTrace().spans
        spans[0].name = "evil\u{1B}]0;pwned\u{07}"
        spans[0].attributes = [Attribute("k\u{1B}", .string("v\u{1B}[2J"))]
        let trace = Trace(traceID: spans[0].traceID, spans: spans)
        let text = WaterfallText.render(trace: trace, width: 120, verbose: true, style: .plain)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("v\\e[2J"))
    }
}

@Suite struct TraceStatisticsTests {
    let ms: UInt64 = 1_000_000

    /// Single-span traces of the given lengths in ms, one a second apart.
    func flatTraces(_ lengths: [UInt64], errorEvery: Int = 0) -> [Trace] {
        let resource = Resource(attributes: [Attribute("service.name", .string("solo"))])
        return lengths.enumerated().map { index, length in
            let id = TraceID(high: 3, low: UInt64(index + 1))
            let start = 1_000_000_000_000 + UInt64(index) * 1_000_000_000
            let error = errorEvery > 0 && index % errorEvery == 0
            return Trace(traceID: id, spans: [Span(traceID: id, spanID: SpanID(1), name: "job", startTimeUnixNano: start, endTimeUnixNano: start + length * ms,
                                                   status: error ? SpanStatus(code: .error) : SpanStatus(), resource: resource)])
        }
    }

    @Test func percentilesOfRootsAreExactNearestRank() throws {
        var stats = TraceStatistics()
        for trace in flatTraces(Array(1...100).shuffled(), errorEvery: 4) { stats.add(trace) }
        #expect(stats.traceCount == 100)
        #expect(stats.errorTraceCount == 25)
        let root = try #require(stats.rootRows.first)
        #expect(root.operation == .init(service: "solo", name: "job"))
        #expect(root.count == 100 && root.errors == 25)
        #expect(root.duration == TraceStatistics.Distribution(p50: 50 * ms, p90: 90 * ms, p99: 99 * ms, max: 100 * ms))
        // 100 traces started over 99 s.
        #expect(abs((stats.tracesPerSecond ?? 0) - 1) < 1e-9)
    }

    @Test func selfTimeSubtractsTheUnionOfChildrenAndHopsSplitIntoLegs() throws {
        var stats = TraceStatistics()
        for _ in 0..<10 { stats.add(handBuiltTrace()) }
        let rows = Dictionary(uniqueKeysWithValues: stats.operationRows.map { ("\($0.operation.service)/\($0.operation.name)", $0) })
        // incoming call 100 − 80; backend call 80 − |GET / 30–70 ∪ http.wait 12–88| = 80 − 76; GET / 40 − 10.
        #expect(rows["frontend/incoming call"]?.meanSelfNanos == 20 * ms)
        #expect(rows["frontend/backend call"]?.meanSelfNanos == 4 * ms)
        #expect(rows["frontend/http.wait"]?.meanSelfNanos == 76 * ms)
        #expect(rows["backend/GET /"]?.meanSelfNanos == 30 * ms)
        #expect(rows["backend/query"]?.meanSelfNanos == 10 * ms)
        #expect(rows["backend/GET /"]?.count == 10)
        let hop = try #require(stats.hopRows.first)
        #expect(stats.hopRows.count == 1)
        #expect(hop.hop.client.name == "backend call" && hop.hop.server.name == "GET /")
        #expect(hop.calls == 10)
        #expect(hop.client.p50 == 80 * ms && hop.server.p50 == 40 * ms && hop.network.p99 == 40 * ms)
        #expect(hop.request?.p50 == 20 * ms && hop.response?.p50 == 20 * ms && hop.skewedCalls == 0)
    }

    @Test func groupsByServiceOrByRootOnly() throws {
        var byService = TraceStatistics(grouping: .service)
        var byRoot = TraceStatistics(grouping: .root)
        byService.add(handBuiltTrace())
        byRoot.add(handBuiltTrace())
        #expect(byService.operationRows.map(\.operation) == [.init(service: "frontend", name: ""), .init(service: "backend", name: "")])
        #expect(byService.operationRows.map(\.count) == [3, 2])
        #expect(byRoot.operationRows.isEmpty && byRoot.hopRows.isEmpty)
        #expect(byRoot.rootRows.map(\.count) == [1])
    }

    @Test func histogramBucketsAreLogScaledWithRoundEdges() throws {
        let histogram = LatencyHistogram(Array(1...100).map { $0 * ms })
        #expect(histogram.buckets.map(\.lowerNanos) == [
            1_000, 1_250, 1_600, 2_000, 2_500, 3_200, 4_000, 5_000, 6_300, 8_000,
            10_000, 12_500, 16_000, 20_000, 25_000, 32_000, 40_000, 50_000, 63_000, 80_000, 100_000,
        ].map { $0 * 1_000 })
        #expect(histogram.buckets.map(\.count) == [1, 0, 0, 1, 1, 0, 1, 2, 1, 2, 3, 3, 4, 5, 7, 8, 10, 13, 17, 20, 1])
        #expect(histogram.buckets.last?.upperNanos == 125 * ms)
        #expect(histogram.bucketIndex(of: 50 * ms) == 17)
        #expect(histogram.p50 == 50 * ms && histogram.p99 == 99 * ms)
        #expect(LatencyHistogram([0, 0, 7]).buckets.map(\.count) == [2, 0, 0, 0, 0, 0, 1])
        #expect(LatencyHistogram([]).buckets.isEmpty)
        // Six decades would be 60 fine buckets: the 1-2-5 series keeps it to a screenful.
        let wide = LatencyHistogram([1_000, 1_000_000_000])
        #expect(wide.buckets.count == 19)
        #expect(wide.buckets.map(\.lowerNanos).prefix(4) == [1_000, 2_000, 5_000, 10_000])
    }

    @Test func textShowsTablesAndMarksPercentilesOnTheHistogram() throws {
        var stats = TraceStatistics()
        for trace in flatTraces(Array(1...100)) { stats.add(trace) }
        let lines = StatsText.render(stats, width: 80, style: .plain, timeZone: TimeZone(identifier: "UTC")!).split(separator: "\n").map(String.init)
        #expect(lines[0] == "Traces    100 over 1m39s (1970-01-01 00:16:40.000 to 1970-01-01 00:18:19.100), 1.0 traces/s")
        #expect(lines[2] == "Duration  p50 50ms  p90 90ms  p99 99ms  max 100ms")
        #expect(lines.contains("ROOT OPERATION  COUNT  ERRORS   P50   P90   P99    MAX  MEAN SELF"))
        #expect(lines.contains("solo: job         100    0.0%  50ms  90ms  99ms  100ms     50.5ms"))
        let p50 = try #require(lines.first { $0.contains("◀ p50") })
        #expect(p50.hasPrefix("     50ms–63ms │") && p50.hasSuffix(" 13  ◀ p50 50ms"))
        // Labels align right on the widest, "1.25ms–1.6ms".
        #expect(lines.contains { $0.hasPrefix("  1.25ms–1.6ms │") })
        let widest = try #require(lines.first { $0.hasPrefix("    80ms–100ms │") })
        #expect(widest.contains("◀ p99 99ms"))
        #expect(TerminalText.width(widest) <= 80)
    }
}

@Suite struct TraceDiffTests {
    let ms: Int64 = 1_000_000

    @Test func pairsSpansAndBlamesTheBackendsSelfTime() throws {
        let diff = TraceDiff(handBuiltTrace(), handBuiltTrace(backendSlowerBy: 20, id: TraceID(high: 1, low: 3)))
        #expect(diff.rows.map { String(repeating: " ", count: $0.depth) + $0.span.name } == [
            "incoming call", " backend call", "  http.wait", "  GET /", "   query",
        ])
        #expect(diff.rows.allSatisfy { $0.a != nil && $0.b != nil })
        #expect(diff.durationDeltaNanos == 20 * ms)
        let byName = Dictionary(uniqueKeysWithValues: diff.rows.map { ($0.span.name, $0) })
        #expect(byName["GET /"]?.durationDeltaNanos == 20 * ms)
        #expect(byName["GET /"]?.contributionNanos == 20 * ms)
        #expect(byName["http.wait"]?.durationDeltaNanos == 20 * ms)
        #expect(byName["http.wait"]?.contributionNanos == 0)
        #expect(diff.rows.reduce(0) { $0 + $1.contributionNanos } == diff.durationDeltaNanos)
        #expect(DiffText.verdict(diff) == "+20ms (100ms → 120ms, +20%): 100% in backend `GET /` self time")
    }

    @Test func repeatedNamesPairInOrderAndExtraSpansStandAlone() throws {
        let resource = Resource(attributes: [Attribute("service.name", .string("solo"))])
        func trace(fetches: Int, low: UInt64) -> Trace {
            let id = TraceID(high: 8, low: low)
            let ms: UInt64 = 1_000_000
            var spans = [Span(traceID: id, spanID: SpanID(1), name: "root", startTimeUnixNano: 0, endTimeUnixNano: UInt64(fetches) * 10 * ms, resource: resource)]
            for index in 0..<fetches {
                spans.append(Span(traceID: id, spanID: SpanID(UInt64(index + 2)), parentSpanID: SpanID(1), name: "fetch",
                                  startTimeUnixNano: UInt64(index) * 10 * ms, endTimeUnixNano: UInt64(index + 1) * 10 * ms, resource: resource))
            }
            return Trace(traceID: id, spans: spans)
        }
        let diff = TraceDiff(trace(fetches: 2, low: 1), trace(fetches: 3, low: 2))
        #expect(diff.rows.map { ($0.a != nil, $0.b != nil) }.map { "\($0.0 ? "A" : "")\($0.1 ? "B" : "")" } == ["AB", "AB", "AB", "B"])
        #expect(diff.rows[3].b?.startTimeUnixNano == 20_000_000)
        #expect(DiffText.verdict(diff) == "+10ms (20ms → 30ms, +50%): 100% in solo `fetch` self time (only in B)")
        let text = DiffText.render(diff, width: 100, style: .plain)
        #expect(text.contains("\n+   fetch"))
        #expect(DiffText.verdict(TraceDiff(trace(fetches: 2, low: 1), trace(fetches: 2, low: 1))) == "same duration (20ms → 20ms)")
    }
}

@Suite struct IDParsingTests {
    @Test func parsesHexInEitherCaseAndRejectsAnythingElse() {
        let id = TraceID(hex: "0af7651916CD43DD8448EB211C80319C")
        #expect(id == TraceID(high: 0x0af7651916cd43dd, low: 0x8448eb211c80319c))
        #expect(id?.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(TraceID(hex: "0af7651916cd43dd8448eb211c80319") == nil)
        #expect(TraceID(hex: "0af7651916cd43dd8448eb211c80319g") == nil)
        #expect(TraceID(hex: "0af7651916cd43dd8448eb211c80319c0") == nil)
        #expect(SpanID(hex: "B7AD6B7169203331") == SpanID(0xb7ad6b7169203331))
        #expect(SpanID(hex: "b7ad6b716920333 ") == nil)
        #expect(SpanID(hex: "") == nil)
        // A substring of a longer line parses in place.
        let line = "id=b7ad6b7169203331;"
        #expect(SpanID(hex: line.dropFirst(3).dropLast()) == SpanID(0xb7ad6b7169203331))
    }
}

@Suite struct StatisticsMergeTests {
    @Test(arguments: [TraceStatistics.Grouping.name, .service, .root])
    func twoHalvesMergedSayWhatOnePassSays(grouping: TraceStatistics.Grouping) throws {
        let traces = (0..<40).map { handBuiltTrace(backendSlowerBy: UInt64($0 * 37 % 11) * 1_000_000, id: TraceID(high: UInt64($0 + 1), low: 9)) }
        var whole = TraceStatistics(grouping: grouping)
        for trace in traces { whole.add(trace) }
        var halves = [TraceStatistics(grouping: grouping), TraceStatistics(grouping: grouping)]
        for (index, trace) in traces.enumerated() { halves[index % 2].add(trace) }
        var merged = TraceStatistics(grouping: grouping)
        for var half in halves {
            half.sortSamples()
            merged.merge(half)
        }
        #expect(try StatsText.json(merged) == (try StatsText.json(whole)))
        #expect(merged.traceCount == 40)
    }
}

@Suite struct TimestampTests {
    /// The computed calendar against Foundation's, over instants from 1970 to 2200 in zones with odd offsets.
    @Test func agreesWithFoundationAcrossCenturiesAndZones() throws {
        var random = SystemRandomNumberGenerator()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        for zone in ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Kiritimati"] {
            let timeZone = try #require(TimeZone(identifier: zone))
            formatter.timeZone = timeZone
            for _ in 0..<300 {
                let millis = Int64.random(in: 0...7_258_118_400_000, using: &random)
                let date = Date(timeIntervalSince1970: Double(millis) / 1000)
                #expect(Timestamp.string(unixNano: UInt64(millis) * 1_000_000 + 999_999, timeZone: timeZone) == formatter.string(from: date))
            }
        }
        #expect(Timestamp.rfc3339(unixNano: 1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123456789Z")
        #expect(Timestamp.string(unixNano: 951_782_400_000_000_000, timeZone: TimeZone(identifier: "UTC")!) == "2000-02-29 00:00:00.000")
        #expect(Timestamp.civil(-1).date == "1969-12-31" && Timestamp.civil(-1).time == "23:59:59")
    }
}

@Suite struct FlameGraphTests {
    let ms: UInt64 = 1_000_000

    /// Two hand-built traces (the second's backend 20 ms slower) and a parallel fan-out: every
    /// frame's count and times against sums worked out by hand.
    @Test func mergesSpansByPathAndSumsTheirTime() throws {
        var graph = FlameGraph()
        graph.add(handBuiltTrace())
        graph.add(handBuiltTrace(backendSlowerBy: 20, id: TraceID(high: 1, low: 3)))
        let byPath = Dictionary(uniqueKeysWithValues: graph.frames.indices.dropFirst().map { (graph.path(to: $0).joined(separator: ";"), $0) })
        #expect(byPath.keys.sorted() == [
            "frontend: incoming call", "frontend: incoming call;frontend: backend call",
            "frontend: incoming call;frontend: backend call;frontend: http.wait",
            "frontend: incoming call;frontend: backend call;frontend: http.wait;backend: GET /",
            "frontend: incoming call;frontend: backend call;frontend: http.wait;backend: GET /;backend: query",
        ])
        let server = try #require(byPath["frontend: incoming call;frontend: backend call;frontend: http.wait;backend: GET /"])
        #expect(graph.frames[server].count == 2)
        #expect(graph.frames[server].totalNanos == (40 + 60) * ms)
        #expect(graph.frames[server].selfNanos == (30 + 50) * ms)
        let wait = try #require(byPath["frontend: incoming call;frontend: backend call;frontend: http.wait"])
        // http.wait 12–88 (and 12–108) less the server span it waited on.
        #expect(graph.frames[wait].selfNanos == (36 + 36) * ms)
        // Every measure's root is the two traces' 100 + 120 ms; self and critical add up to it.
        for measure in FlameGraph.Measure.allCases { #expect(graph.nanos(0, by: measure) == 220 * ms, "\(measure)") }
        let folded = FlameText.folded(graph, by: .self).split(separator: "\n")
        #expect(folded.count == 5)
        #expect(folded.map { UInt64($0.split(separator: " ").last!)! }.reduce(0, +) == 220 * ms)
        #expect(folded.contains("frontend: incoming call;frontend: backend call;frontend: http.wait;backend: GET /;backend: query \(20 * ms)"))
    }

    @Test func parallelChildrenAreScaledIntoTheirParentAndTheCriticalMeasureFollowsThePath() {
        let resource = Resource(attributes: [Attribute("service.name", .string("solo"))])
        let id = TraceID(high: 8, low: 8)
        let spans = [
            Span(traceID: id, spanID: SpanID(1), name: "root", startTimeUnixNano: 0, endTimeUnixNano: 100 * ms, resource: resource),
            Span(traceID: id, spanID: SpanID(2), parentSpanID: SpanID(1), name: "a", startTimeUnixNano: 0, endTimeUnixNano: 80 * ms, resource: resource),
            Span(traceID: id, spanID: SpanID(3), parentSpanID: SpanID(1), name: "b", startTimeUnixNano: 0, endTimeUnixNano: 90 * ms, resource: resource),
        ]
        var graph = FlameGraph()
        graph.add(Trace(traceID: id, spans: spans))
        let a = graph.frames.firstIndex { $0.label == "solo: a" }!, b = graph.frames.firstIndex { $0.label == "solo: b" }!
        #expect(graph.nanos(a, by: .total) + graph.nanos(b, by: .total) == 170 * ms)
        #expect(graph.nanos(a, by: .critical) == 0 && graph.nanos(b, by: .critical) == 90 * ms)
        let chart = FlameText.render(graph, by: .total, width: 100, style: .plain).split(separator: "\n").map(String.init)
        // Row 3 holds b and a, side by side within the 100 columns the root spans.
        #expect(chart[3].hasPrefix("▕solo: b"))
        #expect(chart[3].contains("▕solo: a"))
        #expect(chart.allSatisfy { TerminalText.width($0) <= 100 || !$0.contains("▕") })
    }
}

@Suite struct ServiceMapTests {
    func span(_ id: TraceID, _ spanID: UInt64, _ parent: UInt64?, _ service: String, _ kind: SpanKind, _ start: UInt64, _ end: UInt64, error: Bool = false) -> Span {
        Span(traceID: id, spanID: SpanID(spanID), parentSpanID: parent.map(SpanID.init), name: "\(service) op", kind: kind,
             startTimeUnixNano: start, endTimeUnixNano: end, status: error ? SpanStatus(code: .error, message: "x") : SpanStatus(),
             resource: Resource(attributes: [Attribute("service.name", .string(service))]))
    }

    /// web → api → db, and api calling back into web: counts, errors, figures and the drawing.
    @Test func countsCallsBetweenServicesAndDrawsThemFromTheEntry() {
        var map = ServiceMap()
        for n in UInt64(1)...4 {
            let id = TraceID(high: 9, low: n)
            map.add(Trace(traceID: id, spans: [
                span(id, 1, nil, "web", .server, 0, 100),
                span(id, 2, 1, "web", .client, 10, 90),
                span(id, 3, 2, "api", .server, 20, 20 + 10 * n, error: n == 4),
                span(id, 4, 3, "api", .client, 22, 30),
                span(id, 5, 4, "db", .server, 24, 28),
                span(id, 6, 3, "api", .client, 30, 35),
                span(id, 7, 6, "web", .server, 31, 34),
            ]))
        }
        #expect(map.traceCount == 4)
        #expect(map.services.map(\.name) == ["api", "db", "web"])
        #expect(map.services.first { $0.name == "web" }?.entryTraces == 4)
        let calls = map.calls
        #expect(calls.map { "\($0.client)>\($0.server) \($0.count) \($0.errors)" } == ["api>db 4 0", "api>web 4 0", "web>api 4 1"])
        let webToAPI = calls[2]
        #expect(webToAPI.server50 == 20 && webToAPI.server99 == 40)
        // Network: the client's 80 ns less the server's 10, 20, 30, 40; nearest rank.
        #expect(webToAPI.network50 == 50 && webToAPI.network99 == 70)
        let text = MapText.render(map, style: .plain).split(separator: "\n").map(String.init)
        #expect(text[1] == "web (12 spans in 4 traces)  ← entry for 4 traces")
        #expect(text[2] == "└─▶ api (12 spans in 4 traces, 1 error span)")
        #expect(text[3] == "      4 calls, 25.0% errors; server p50 20ns p99 40ns, network & queueing p50 50ns p99 70ns")
        #expect(text.contains("    ├─▶ db (4 spans in 4 traces)"))
        #expect(text.contains("    └─▶ web (above)"))
        let dot = MapText.dot(map)
        #expect(dot.contains("\"web\" -> \"api\" [label=\"4 calls, 25.0% errors\\nserver p50 20ns p99 40ns\\nnetwork p50 50ns p99 70ns\", color=red];"))
    }
}

@Suite struct ClockSkewTests {
    func span(_ spanID: UInt64, _ parent: UInt64?, _ name: String, _ service: String, _ kind: SpanKind, _ start: UInt64, _ end: UInt64) -> Span {
        Span(traceID: TraceID(high: 4, low: 4), spanID: SpanID(spanID), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
             startTimeUnixNano: start, endTimeUnixNano: end, resource: Resource(attributes: [Attribute("service.name", .string(service))]))
    }

    /// A backend whose clock runs 170 ns fast: its server span and the hop inside it move into
    /// the client's window, half the slack each side; the hop inside is then judged where it lands.
    @Test func movesAServerSubtreeOutsideItsClientIntoTheWindowAndSaysSo() {
        let trace = Trace(traceID: TraceID(high: 4, low: 4), spans: [
            span(1, nil, "incoming", "web", .server, 0, 100),
            span(2, 1, "call api", "web", .client, 10, 90),
            span(3, 2, "GET /", "api", .server, 200, 240),
            span(4, 3, "query", "api", .client, 205, 235),
            span(5, 4, "SELECT", "db", .server, 210, 230),
        ])
        let skew = ClockSkew(adjusting: trace)
        #expect(skew.adjustments == [ClockSkew.Adjustment(server: SpanID(3), shift: -170)])
        #expect(skew.shifts == [SpanID(3): -170, SpanID(4): -170, SpanID(5): -170])
        let moved = Dictionary(uniqueKeysWithValues: skew.trace.spans.map { ($0.name, ($0.startTimeUnixNano, $0.endTimeUnixNano)) })
        #expect(moved["GET /"]! == (30, 70) && moved["query"]! == (35, 65) && moved["SELECT"]! == (40, 60))
        #expect(skew.trace.durationNanos == 100)
        let text = WaterfallText.render(trace: trace, width: 100, verbose: false, style: .plain, skew: skew)
        #expect(text.contains("GET / ⇆"))
        #expect(text.contains("⇆ clock skew: `GET /` (api) and the spans under it moved earlier by 170ns into its client's window"))
    }

    @Test func leavesServersInsideTheirClientOrLongerThanItAlone() {
        let inside = Trace(traceID: TraceID(high: 4, low: 4), spans: [span(2, nil, "call", "web", .client, 10, 90), span(3, 2, "GET /", "api", .server, 20, 80)])
        let longer = Trace(traceID: TraceID(high: 4, low: 4), spans: [span(2, nil, "call", "web", .client, 10, 90), span(3, 2, "GET /", "api", .server, 300, 400)])
        for trace in [inside, longer] {
            let skew = ClockSkew(adjusting: trace)
            #expect(skew.adjustments.isEmpty && skew.trace == trace)
            #expect(WaterfallText.render(trace: trace, width: 100, verbose: false, style: .plain, skew: skew)
                .contains("clock skew: no server span lay outside its client's window; nothing moved"))
        }
    }
}
