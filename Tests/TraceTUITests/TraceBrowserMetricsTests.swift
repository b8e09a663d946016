import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore
import TraceViews
@testable import TraceTUI

/// The metrics screen on a virtual screen: the list, a metric charted over time as points arrive,
/// and an exemplar of the slowest bucket opening the trace it was measured in.
@Suite struct TraceBrowserMetricsTests {
    let start: UInt64 = 1_700_000_000_000_000_000
    let duration = Metric(name: "checkout.duration", description: "checkout time", unit: "s", kind: .histogram, temporality: .cumulative)

    func text(_ browser: TraceBrowser) -> [String] { browser.draw().lines.map(TerminalText.trimmedRight) }

    func point(second: UInt64, counts: [UInt64], exemplars: [Exemplar] = []) -> MetricPoint {
        MetricPoint(metric: duration, startTimeUnixNano: start, timeUnixNano: start + second * 1_000_000_000 - 1,
                    value: .histogram(.init(count: counts.reduce(0, +), bounds: [0.1, 0.2, 0.4], counts: counts)), exemplars: exemplars)
    }

    @Test func aHistogramIsChartedLiveAndItsSlowestExemplarOpensItsTrace() throws {
        let store = try TraceStore.inMemory()
        try store.insert(sampleTrace(id: 1))
        let slowSpan = SpanID(1 << 8 | 2)
        try store.insert([point(second: 1, counts: [0, 10, 0, 0]),
                          point(second: 2, counts: [0, 10, 5, 0], exemplars: [Exemplar(timeUnixNano: start + 1_500_000_000, value: 0.3,
                                                                                      traceID: TraceID(high: 1, low: 0xABCDEF), spanID: slowSpan)])])
        let browser = try TraceBrowser(store: store, width: 100, height: 40)
        _ = try browser.handle(.character("M"))
        var lines = text(browser)
        #expect(lines[0].hasSuffix("·  metrics"))
        #expect(lines[1].hasPrefix("NAME") && lines[2].hasPrefix("checkout.duration") && lines[2].contains("histogram"))
        _ = try browser.handle(.enter)
        lines = text(browser)
        #expect(lines[0].hasSuffix("·  metric checkout.duration"))
        #expect(lines[1].hasPrefix("checkout.duration (histogram, s): p50, p90 and p99"))
        #expect(lines.contains { $0.hasPrefix("● p50  last 300ms") }, "the second second gained five in (200ms, 400ms]")
        #expect(lines.contains("Slowest bucket (200ms, 400ms]: traces it counted"))
        let exemplarRow = try #require(lines.firstIndex { $0.contains("0000000000000001" + "0000000000abcdef") })
        #expect(browser.draw().rows[exemplarRow].allSatisfy { $0.style.reverse }, "the exemplar picked")

        // Live: a third second's point redraws the chart.
        try store.insert([point(second: 3, counts: [0, 30, 5, 0])])
        #expect(try browser.refreshIfChanged())
        #expect(text(browser).contains { $0.hasPrefix("● p50  last 150ms") }, "twenty more in (100ms, 200ms]")

        _ = try browser.handle(.enter)
        lines = text(browser)
        #expect(lines.last?.hasPrefix("span 2/3") == true, "the trace opened on the exemplar's span, backend call")
        _ = try browser.handle(.escape)
        #expect(text(browser)[0].hasSuffix("·  metric checkout.duration"), "back to the chart")
        _ = try browser.handle(.escape)
        _ = try browser.handle(.escape)
        #expect(text(browser)[1].hasPrefix("TRACE ID") && !text(browser)[0].contains("metric"), "back to the trace list")
    }

    @Test func noMetricsSaysHowToGetSome() throws {
        let browser = try TraceBrowser(store: try TraceStore.inMemory(), width: 100, height: 20)
        _ = try browser.handle(.character("M"))
        #expect(text(browser)[2].contains("No metrics yet"))
        _ = try browser.handle(.enter)
        #expect(text(browser)[0].hasSuffix("·  metrics"), "nothing to open")
    }
}
