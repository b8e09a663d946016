import Foundation
import Testing
import TraceModel
@testable import TraceViews

@Suite struct DurationFormatTests {
    @Test(arguments: [
        (UInt64(0), "0ns"), (999, "999ns"), (842_000, "842µs"), (12_345_678, "12.3ms"), (1_240_000_000, "1.24s"),
        (1_000_000, "1ms"), (100_000_000, "100ms"), (125_000_000_000, "2m05s"), (7_260_000_000_000, "2h01m"),
    ])
    func formats(nanos: UInt64, text: String) {
        #expect(DurationFormat.string(nanos: nanos) == text)
    }

    @Test(arguments: [
        ("842µs", UInt64(842_000)), ("842us", 842_000), ("12.3ms", 12_300_000), ("1.24s", 1_240_000_000), ("0", 0),
        ("2m05s", 125_000_000_000), ("1h30m", 5_400_000_000_000), ("250ns", 250), (" 5ms ", 5_000_000),
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
/// 40–50ms, and a frontend network phase span 12–88ms under the client.
func handBuiltTrace() -> Trace {
    let frontend = Resource(attributes: [Attribute("service.name", .string("frontend"))])
    let backend = Resource(attributes: [Attribute("service.name", .string("backend"))])
    let id = TraceID(high: 1, low: 2)
    let ms: UInt64 = 1_000_000
    let t0: UInt64 = 1_000_000_000_000
    func span(_ spanID: UInt64, _ parent: UInt64?, _ name: String, _ kind: SpanKind, _ start: UInt64, _ end: UInt64, _ resource: Resource) -> Span {
        Span(traceID: id, spanID: SpanID(spanID), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
             startTimeUnixNano: t0 + start * ms, endTimeUnixNano: t0 + end * ms,
             events: name == "GET /" ? [SpanEvent(timeUnixNano: t0 + 35 * ms, name: "handling request")] : [], resource: resource)
    }
    return Trace(traceID: id, spans: [
        span(3, 2, "GET /", .server, 30, 70, backend),
        span(1, nil, "incoming call", .server, 0, 100, frontend),
        span(4, 3, "query", .internal, 40, 50, backend),
        span(2, 1, "backend call", .client, 10, 90, frontend),
        span(5, 2, "http.wait", .internal, 12, 88, frontend),
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
        #expect(breakdown.selfNanos == ["frontend": 20 * ms, "backend": 40 * ms, "network": 40 * ms])
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
        // root self = 100 − |[10,80]| = 30; a = 50; b = 40.
        #expect(LatencyBreakdown(trace: Trace(traceID: id, spans: spans)).selfNanos == ["solo": 120])
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
        var trace = handBuiltTrace()
        trace.spans[0].name = "evil\u{1B}]0;pwned\u{07}"
        trace.spans[0].attributes = [Attribute("k\u{1B}", .string("v\u{1B}[2J"))]
        let text = WaterfallText.render(trace: trace, width: 120, verbose: true, style: .plain)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("v\\e[2J"))
    }
}
