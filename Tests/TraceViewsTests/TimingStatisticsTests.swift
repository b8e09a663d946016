import Foundation
import Testing
import TraceFixtures
import TraceModel
@testable import TraceViews

/// `trace stats` reads a whole file as `TraceTimings`, with numbers for names; what it says must be
/// what the same traces say as `Trace`s, whatever shape they have.
@Suite struct TimingStatisticsTests {
    /// Random traces with every oddity a sender can store: orphans, parent cycles, spans naming
    /// themselves as parent, many roots, spans that end before they start, errors, hops between
    /// three services. (A span id twice in one trace is stored once.) The same statistics by either path, every grouping.
    @Test(arguments: [TraceStatistics.Grouping.name, .service, .root])
    func timingsSayWhatTracesSay(grouping: TraceStatistics.Grouping) throws {
        var random = SeededRandom(seed: 7)
        var traces: [Trace] = []
        for round in 0..<2_000 {
            let count = Int.random(in: 1...14, using: &random)
            var spans: [Span] = []
            for id in 1...count {
                let parent: UInt64? = switch Int.random(in: 0..<10, using: &random) {
                case 0: nil
                case 1: UInt64.random(in: 1...UInt64(count + 2), using: &random)  // later, itself, or missing
                default: id == 1 ? nil : UInt64.random(in: 1..<UInt64(id), using: &random)
                }
                let start = UInt64.random(in: 1...40, using: &random)
                let end = Int.random(in: 0..<30, using: &random) == 0 ? start - 1 : start + UInt64.random(in: 0...25, using: &random)
                spans.append(Span(
                    traceID: TraceID(high: UInt64(round + 1), low: 1), spanID: SpanID(UInt64(id)), parentSpanID: parent.map(SpanID.init),
                    name: ["GET /", "query", "call", "send"].randomElement(using: &random)!,
                    kind: [.client, .server, .internal, .unspecified].randomElement(using: &random)!,
                    startTimeUnixNano: 1_700_000_000_000_000_000 + start, endTimeUnixNano: 1_700_000_000_000_000_000 + end,
                    status: SpanStatus(code: Int.random(in: 0..<6, using: &random) == 0 ? .error : .unset),
                    resource: Resource(attributes: [Attribute("service.name", .string(["front", "back", "db"].randomElement(using: &random)!))])))
            }
            traces.append(Trace(traceID: TraceID(high: UInt64(round + 1), low: 1), spans: spans))
        }
        var expected = TraceStatistics(grouping: grouping)
        var names = TimingNames()
        var timed = TimingStatistics(grouping: grouping)
        for trace in traces {
            expected.add(trace)
            timed.add(Self.timings(of: trace, names: &names))
        }
        var actual = timed.statistics(names: names)
        expected.sortSamples()
        actual.sortSamples()
        #expect(actual.rootRows == expected.rootRows)
        #expect(actual.operationRows == expected.operationRows)
        #expect(actual.hopRows == expected.hopRows)
        #expect(actual.time == expected.time)
        #expect(actual.traceDuration == expected.traceDuration)
        #expect(actual.errorTraceCount == expected.errorTraceCount)
        #expect(try StatsText.json(actual) == (try StatsText.json(expected)))
        #expect(StatsText.render(actual, width: 100, style: .plain, timeZone: TimeZone(identifier: "UTC")!)
                == StatsText.render(expected, width: 100, style: .plain, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// Spans that all end before they start (a sender's clock gone backwards) make a trace of no
    /// duration; it was the unsigned difference, and two such traces overflowed `trace stats`' sum.
    @Test func aTraceThatEndsBeforeItStartsLastsNothing() {
        let spans = [Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), name: "backwards", kind: .server,
                          startTimeUnixNano: 1_700_000_000_000_000_100, endTimeUnixNano: 1_700_000_000_000_000_000)]
        let trace = Trace(traceID: TraceID(high: 1, low: 1), spans: spans)
        #expect(trace.durationNanos == 0)
        var names = TimingNames()
        #expect(Self.timings(of: trace, names: &names).durationNanos == 0)
        var stats = TraceStatistics()
        for _ in 0..<3 { stats.add(trace) }
        #expect(stats.time.traceNanos == 0)
        #expect(stats.traceDuration?.max == 0)
    }

    static func timings(of trace: Trace, names: inout TimingNames) -> TraceTimings {
        TraceTimings(spans: trace.spans.reversed().map { span in
            SpanTiming(spanID: span.spanID, parentSpanID: span.parentSpanID, service: names.number(span.serviceName), name: names.number(span.name),
                       kind: span.kind, isError: span.isError, startTimeUnixNano: span.startTimeUnixNano, endTimeUnixNano: span.endTimeUnixNano)
        })
    }

    /// The demo's shape, thousands of times over with other timings: the statistics remember
    /// where each span's operation was found, which must not carry one trace's sums into another's row.
    @Test func tracesOfOneShapeKeepTheirOperationsApart() throws {
        var names = TimingNames()
        var timed = TimingStatistics()
        var expected = TraceStatistics()
        for index in 0..<3_000 {
            var trace = handBuiltTrace(backendSlowerBy: UInt64(index % 7) * 1_000_000, id: TraceID(high: UInt64(index + 1), low: 2))
            if index % 5 == 0 {
                // Now and then one more span at the front, which moves every other span's place.
                trace = Trace(traceID: trace.traceID, spans: trace.spans + [Span(
                    traceID: trace.traceID, spanID: SpanID(999), parentSpanID: trace.spans[0].spanID, name: "http.dns", kind: .internal,
                    startTimeUnixNano: trace.startTimeUnixNano, endTimeUnixNano: trace.startTimeUnixNano + 1_000, resource: trace.spans[0].resource)])
            }
            expected.add(trace)
            timed.add(Self.timings(of: trace, names: &names))
        }
        let actual = timed.statistics(names: names)
        #expect(actual.operationRows == expected.operationRows)
        #expect(actual.hopRows == expected.hopRows)
        #expect(actual.operationRows.contains { $0.operation.name == "http.dns" && $0.count == 600 })
    }
}
