import Foundation
import Testing
import TraceViews
import TraceFixtures
import TraceModel
import TraceStore
@testable import TraceTUI

/// The TUI's screen logic on a virtual screen: what a user would see after each key.
@Suite struct TraceBrowserTests {
    func store(traces: Int = 30) throws -> TraceStore {
        let store = try TraceStore.inMemory()
        let base: UInt64 = 1_700_000_000_000_000_000
        for id in UInt64(1)...UInt64(traces) {
            try store.insert(sampleTrace(id: id, start: base + id * 1_000_000_000, rootNanos: id * 1_000_000, error: id % 10 == 0))
        }
        return store
    }

    func text(_ browser: TraceBrowser) -> [String] { browser.draw().lines }

    @Test func listShowsNewestFirstWithAStatusLine() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 24)
        let lines = text(browser)
        #expect(lines[0].hasPrefix("trace — :memory:  ·  newest first"))
        #expect(lines[1].hasPrefix("TRACE ID"))
        #expect(lines[2].hasPrefix("000000000000001e  2023-11-14"))
        #expect(lines[2].contains("frontend: incoming call") && lines[2].contains("ERR"))
        #expect(lines[23].hasPrefix("1/30 traces"))
        #expect(browser.draw().rows[2].allSatisfy { $0.style.reverse })
        #expect(!browser.draw().rows[3].contains { $0.style.reverse })
    }

    @Test func scrollsPagesAndJumps() throws {
        let browser = try TraceBrowser(store: store(), width: 100, height: 12)
        for _ in 0..<12 { _ = try browser.handle(.down) }
        var lines = text(browser)
        #expect(lines[11].hasPrefix("13/30 traces"))
        #expect(lines.contains { $0.hasPrefix("0000000000000012") })
        _ = try browser.handle(.character("G"))
        lines = text(browser)
        #expect(lines[11].hasPrefix("30/30 traces"))
        #expect(lines[10].hasPrefix("0000000000000001"))
        _ = try browser.handle(.character("g"))
        #expect(text(browser)[11].hasPrefix("1/30 traces"))
        _ = try browser.handle(.pageDown)
        #expect(text(browser)[11].hasPrefix("10/30 traces"))
    }

    @Test func filtersAsYouTypeAndTogglesErrorsAndSort() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 24)
        _ = try browser.handle(.character("/"))
        for character in "000000000000000a" { _ = try browser.handle(.character(character)) }
        var lines = text(browser)
        #expect(lines[23].hasPrefix("/000000000000000a"))
        #expect(lines[2].hasPrefix("000000000000000a  "))
        #expect(lines[3].trimmingCharacters(in: .whitespaces).isEmpty)
        _ = try browser.handle(.escape)
        _ = try browser.handle(.character("e"))
        lines = text(browser)
        #expect(lines[0].contains("errors only"))
        #expect(lines[23].hasPrefix("1/3 traces"))
        _ = try browser.handle(.character("e"))
        _ = try browser.handle(.character("s"))
        lines = text(browser)
        #expect(lines[0].contains("slowest first"))
        #expect(lines[2].hasPrefix("000000000000001e"))
    }

    /// `key=value` in the filter is an attribute match through the index: the three error traces
    /// (every tenth) answered 500.
    @Test func filtersByAnAttributeValue() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 24)
        _ = try browser.handle(.character("/"))
        for character in "http.response.status_code=500" { _ = try browser.handle(.character(character)) }
        let lines = text(browser)
        #expect(lines[23].hasPrefix("/http.response.status_code=500"))
        #expect(Array(lines[2...4]).map { String($0.prefix(16)) } == [30, 20, 10].map { String(TraceID(high: $0, low: 0xABCDEF).hex.prefix(16)) })
        #expect(lines[5].trimmingCharacters(in: .whitespaces).isEmpty)
    }

    @Test func opensATraceAndFollowsTheSelectionInTheDetailPane() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 30)
        _ = try browser.handle(.enter)
        var lines = text(browser)
        #expect(lines[0].hasPrefix("Trace 000000000000001e0000000000abcdef"))
        #expect(lines[1].contains("┊0ns"))
        #expect(lines[2].hasPrefix("▾ incoming call"))
        #expect(lines[3].hasPrefix("  ▾ backend call !"))
        #expect(lines[4].hasPrefix("      GET / !"))
        _ = try browser.handle(.down)
        _ = try browser.handle(.down)
        lines = text(browser)
        let detail = lines.drop { !$0.hasPrefix("────") }.dropFirst()
        #expect(detail.first?.trimmingCharacters(in: .whitespaces) == "GET /")
        #expect(detail.contains { $0.contains("service   backend") })
        #expect(detail.contains { $0.contains("status    ERROR: HTTP 500") })
        #expect(detail.contains { $0.contains("handling request") })
        // Tab moves the keys to the detail pane, which then scrolls while the selection stays.
        _ = try browser.handle(.tab)
        for _ in 0..<8 { _ = try browser.handle(.down) }
        let scrolled = Array(text(browser).drop { !$0.hasPrefix("────") }.dropFirst())
        #expect(scrolled.first?.trimmingCharacters(in: .whitespaces) == "Events")
        #expect(scrolled.contains { $0.contains("n = 1") })
        #expect(text(browser).last?.hasPrefix("span 3/3") == true)
    }

    @Test func collapsesAndExpandsSubtrees() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 30)
        _ = try browser.handle(.enter)
        _ = try browser.handle(.down)
        _ = try browser.handle(.character(" "))
        var lines = text(browser)
        #expect(lines[3].hasPrefix("  ▸ backend call"))
        #expect(!lines[4].contains("GET /"))
        _ = try browser.handle(.right)
        lines = text(browser)
        #expect(lines[3].hasPrefix("  ▾ backend call"))
        #expect(lines[4].contains("GET /"))
        _ = try browser.handle(.left)
        #expect(text(browser)[3].hasPrefix("  ▸ backend call"))
    }

    @Test func findsSpansAndHidesTheOthers() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 30)
        _ = try browser.handle(.enter)
        _ = try browser.handle(.character("/"))
        for character in "handling" { _ = try browser.handle(.character(character)) }
        _ = try browser.handle(.enter)
        #expect(text(browser).last?.hasPrefix("span 1/3") == true)
        for character in "/GET /" { _ = try browser.handle(.character(character)) }
        _ = try browser.handle(.enter)
        var lines = text(browser)
        #expect(lines.last?.hasPrefix("span 3/3  ·  1 match \"GET /\"") == true)
        _ = try browser.handle(.character("h"))
        lines = text(browser)
        #expect(lines[2].contains("GET /"))
        #expect(!lines.contains { $0.contains("incoming call") && !$0.hasPrefix("Trace") && !$0.contains("parent") })
        _ = try browser.handle(.character("h"))
        #expect(text(browser)[2].contains("incoming call"))
    }

    @Test func breakdownAndHelpAreOneKeyAway() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 30)
        _ = try browser.handle(.character("?"))
        #expect(text(browser).contains { $0.contains("filter (id, service, span, attribute; key=value)") })
        _ = try browser.handle(.character("x"))
        #expect(!text(browser).contains { $0.contains("Any key closes this help") })
        _ = try browser.handle(.enter)
        _ = try browser.handle(.character("b"))
        #expect(text(browser).contains { $0.contains("frontend → backend: client `backend call` 8ms, server `GET /` 4ms, network & queueing 4ms") })
        _ = try browser.handle(.escape)
        #expect(!text(browser).contains { $0.contains("Where the time went") })
        _ = try browser.handle(.escape)
        #expect(text(browser)[0].hasPrefix("trace — "))
        #expect(try browser.handle(.character("q")) == false)
    }

    @Test func marksTheCriticalPathAndFadesWorkOffIt() throws {
        // The sample trace plus a frontend `cache lookup` (2–5ms) that runs while `backend call` (1–9ms) waits: off the path.
        let store = try TraceStore.inMemory()
        var spans = sampleTrace(id: 1)
        let start = spans[0].startTimeUnixNano
        spans.append(Span(traceID: spans[0].traceID, spanID: SpanID(0xCACE), parentSpanID: spans[0].spanID, name: "cache lookup",
                          startTimeUnixNano: start + 2_000_000, endTimeUnixNano: start + 5_000_000, resource: frontendResource))
        try store.insert(spans)
        let browser = try TraceBrowser(store: store, width: 120, height: 30)
        _ = try browser.handle(.enter)
        #expect(!text(browser).contains { $0.contains("●") })
        _ = try browser.handle(.character("c"))
        let screen = browser.draw()
        let lines = screen.lines
        #expect(lines[2].hasPrefix("● ▾ incoming call"))
        #expect(lines[3].hasPrefix("●   ▾ backend call"))
        #expect(lines[4].hasPrefix("●       GET /"))
        #expect(lines[5].hasPrefix("      cache lookup"))
        // root 0–1 and 9–10 frontend, client 1–3 and 7–9 waiting (network), server 3–7 backend.
        #expect(lines.last?.hasPrefix("span 1/4  ·  critical path ● 10ms: backend 40%, network 40%, frontend 20%") == true)
        let barCells = screen.rows[5].suffix(60).filter { $0.text != " " }
        #expect(!barCells.isEmpty && barCells.allSatisfy(\.style.dim))
        #expect(screen.rows[4].suffix(60).contains { $0.text != " " && !$0.style.dim })
        _ = try browser.handle(.character("c"))
        #expect(!text(browser).contains { $0.contains("●") })
    }

    /// `a` shows the trace with clock skew adjusted, marks what moved, and undoes it.
    @Test func adjustsClockSkewOnAKeyAndMarksWhatMoved() throws {
        // The sample trace's backend span moved 50 ms later, outside its client span.
        let store = try TraceStore.inMemory()
        var spans = sampleTrace(id: 1)
        spans[2].startTimeUnixNano += 50_000_000
        spans[2].endTimeUnixNano += 50_000_000
        try store.insert(spans)
        let browser = try TraceBrowser(store: store, width: 120, height: 30)
        _ = try browser.handle(.enter)
        #expect(!text(browser).contains { $0.contains("⇆") })
        _ = try browser.handle(.character("a"))
        let adjusted = text(browser)
        #expect(adjusted.contains { $0.contains("GET / ⇆") }, "\(adjusted.joined(separator: "\n"))")
        #expect(adjusted.last?.contains("clock skew adjusted: 1 span moved into their clients' windows ⇆  ·  a undo") == true)
        #expect(adjusted[0].contains("10ms"), "the trace is 10 ms again: \(adjusted[0])")
        _ = try browser.handle(.character("a"))
        #expect(!text(browser).contains { $0.contains("⇆") })
    }

    /// `F` in the list draws the listed traces' flame graph over it; any key closes it.
    @Test func drawsTheListedTracesFlameGraphOnF() throws {
        let store = try TraceStore.inMemory()
        for id in UInt64(1)...3 { try store.insert(sampleTrace(id: id, error: id == 2)) }
        let browser = try TraceBrowser(store: store, width: 120, height: 30)
        _ = try browser.handle(.character("e"))
        _ = try browser.handle(.character("F"))
        let lines = text(browser)
        #expect(lines.contains { $0.contains("Flame graph of 1 trace, widths by total time") }, "only the listed (error) trace")
        #expect(lines.contains { $0.contains("▕frontend: incoming call") })
        #expect(lines.contains { $0.contains("backend: GET /") && $0.contains("1") })
        #expect(try browser.handle(.character("x")))
        #expect(!text(browser).contains { $0.contains("Flame graph") })
    }

    @Test func switchesBetweenLocalTimeAndUTC() throws {
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let browser = try TraceBrowser(store: store(traces: 1), width: 120, height: 20, localTimeZone: tokyo)
        #expect(text(browser)[2].contains("2023-11-15 07:13:21.000"))
        _ = try browser.handle(.character("u"))
        #expect(text(browser)[2].contains("2023-11-14 22:13:21.000"))
        _ = try browser.handle(.enter)
        #expect(text(browser)[0].contains("2023-11-14 22:13:21.000"))
    }

    @Test func newTracesAppearWithoutAKeyPressKeepingTheSelection() throws {
        let store = try store()
        let browser = try TraceBrowser(store: store, width: 120, height: 20)
        _ = try browser.handle(.down)
        _ = try browser.handle(.down)
        #expect(text(browser)[4].hasPrefix("000000000000001c"))
        #expect(try browser.refreshIfChanged() == false)
        try store.insert(sampleTrace(id: 99, start: 1_800_000_000_000_000_000))
        #expect(try browser.refreshIfChanged() == true)
        let lines = text(browser)
        #expect(lines[19].hasPrefix("4/31 traces"))
        #expect(lines[4].hasPrefix("000000000000001c"))
        #expect(browser.draw().rows[4].allSatisfy { $0.style.reverse })
    }

    @Test func saysSoWhenTheTerminalIsTooSmall() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 24)
        try browser.resize(width: 40, height: 10)
        #expect(text(browser)[0] .hasPrefix("Terminal too small: 40×10, need 60×12."))
        try browser.resize(width: 80, height: 24)
        #expect(text(browser)[1].hasPrefix("TRACE ID"))
    }

    @Test func wrapsLongValuesInTheDetailPaneInsteadOfCuttingThem() throws {
        let store = try TraceStore.inMemory()
        var spans = sampleTrace(id: 1)
        let query = "SELECT * FROM orders WHERE customer_id = 42 AND created_at > now() - interval '7 days' ORDER BY total DESC LIMIT 100"
        spans[0].attributes = [Attribute("db.query.text", .string(query))]
        try store.insert(spans)
        let browser = try TraceBrowser(store: store, width: 80, height: 40)
        _ = try browser.handle(.enter)
        let lines = text(browser)
        let first = try #require(lines.firstIndex { $0.contains("db.query.text = ") })
        // Continuation lines are indented under the value, and together they hold all of it.
        let continuation = lines[(first + 1)...].prefix { $0.hasPrefix("       ") }
        #expect(continuation.count == 1)
        let joined = ([lines[first]] + continuation).map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        #expect(joined.replacingOccurrences(of: " ", with: "").contains(query.replacingOccurrences(of: " ", with: "")))
        #expect(lines.allSatisfy { TerminalText.width($0) == 80 })
    }

    @Test func drawsHostileAndWideTextSafelyAndAligned() throws {
        let store = try TraceStore.inMemory()
        var spans = sampleTrace(id: 1)
        spans[0].name = "注文を処理 🚀 \u{1B}[2Jevil"
        spans[1].attributes = [Attribute("note", .string("bell\u{07}\nnewline"))]
        try store.insert(spans)
        let browser = try TraceBrowser(store: store, width: 160, height: 24)
        let screen = browser.draw()
        #expect(screen.lines.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("\u{07}") && !$0.contains("\n") })
        #expect(screen.lines[2].contains("注文を処理 🚀 \\e[2Jevil"))
        _ = try browser.handle(.enter)
        try browser.resize(width: 100, height: 24)
        let trace = browser.draw()
        #expect(trace.lines[2].contains("注文を処理 🚀 \\e[2Jevil"))
        #expect(trace.lines.allSatisfy { TerminalText.width($0) == 100 })
    }
}
