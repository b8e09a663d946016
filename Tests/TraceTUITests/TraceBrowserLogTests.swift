import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore
import TraceViews
@testable import TraceTUI

/// Log records in the TUI, on a virtual screen: under their spans, in a trace's list, in the live
/// view of the whole file, and as the mark of a failed trace.
@Suite struct TraceBrowserLogTests {
    /// Trace 1 logged INFO, WARN and ERROR but has no error span; trace 2 logged nothing.
    func store() throws -> TraceStore {
        let store = try TraceStore.inMemory()
        try store.insert(sampleTrace(id: 1) + sampleTrace(id: 2, start: 1_700_000_100_000_000_000))
        try store.insert(sampleLogs(id: 1))
        return store
    }

    func text(_ browser: TraceBrowser) -> [String] { browser.draw().lines }

    @Test func aTraceWithAnErrorLogIsMarkedInTheList() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 20)
        let lines = text(browser)
        #expect(lines[2].hasPrefix("0000000000000002") && !lines[2].contains("ERR"))
        #expect(lines[3].hasPrefix("0000000000000001") && lines[3].hasSuffix("ERR"))
        #expect(browser.draw().rows[3].contains { $0.text == "i" && $0.style.color == ScreenBuffer.Color.error }, "its root drawn as an error trace's")
    }

    @Test func aTracesRecordsSitUnderTheirSpansAndTheListJumpsToThem() throws {
        let browser = try TraceBrowser(store: store(), width: 120, height: 40)
        _ = try browser.handle(.down)
        _ = try browser.handle(.enter)
        var lines = text(browser)
        #expect(lines[0].contains("3 spans  3 logs (L)"))
        let backendCall = try #require(lines.first { $0.contains("backend call") })
        #expect(backendCall.contains("▪"), "the WARN record marks its span's bar")
        // The detail pane follows the selection: the root's record, with its attributes.
        #expect(lines.contains { $0.contains("▪ +100ns INFO  request 1 started") })
        #expect(lines.contains { $0.contains("user.id = 1") })
        _ = try browser.handle(.character("L"))
        lines = text(browser)
        #expect(lines.contains { $0.contains("Logs of this trace (3)") })
        let errorRow = try #require(lines.firstIndex { $0.contains("ERROR  backend") && $0.contains("price lookup failed: timeout") })
        #expect(browser.draw().rows[errorRow].contains { $0.style.color == ScreenBuffer.Color.error })
        _ = try browser.handle(.down)
        _ = try browser.handle(.down)
        _ = try browser.handle(.enter)
        lines = text(browser)
        #expect(!lines.contains { $0.contains("Logs of this trace") })
        #expect(lines.last?.hasPrefix("span 3/3") == true, "on the ERROR record's span, GET /")
        #expect(lines.contains { $0.contains("▪ +4ms ERROR  price lookup failed: timeout") })
    }

    @Test func theLiveLogViewFollowsFiltersAndOpensTraces() throws {
        let store = try store()
        let browser = try TraceBrowser(store: store, width: 120, height: 12)
        _ = try browser.handle(.character("L"))
        var lines = text(browser)
        #expect(lines[0].contains("logs, newest at the bottom  ·  following"))
        // In arrival order, the last stored at the bottom.
        #expect(lines[9].contains("DEBUG  backend") && lines[9].contains("cache warmed"), "\(lines)")
        #expect(lines[8].contains("ERROR  backend") && lines[8].contains("price lookup failed"))
        #expect(lines[11].hasPrefix("4 records"))
        try store.insert([LogRecord(timeUnixNano: 1_700_000_200_000_000_000, severityNumber: 13, body: .string("disk nearly full"), resource: backendResource)])
        #expect(try browser.refreshIfChanged())
        lines = text(browser)
        #expect(lines[9].contains("WARN   backend") && lines[9].contains("disk nearly full"))
        #expect(browser.draw().rows[9].contains { $0.style.color == ScreenBuffer.Color.warning })
        _ = try browser.handle(.character("/"))
        for character in "pri" { _ = try browser.handle(.character(character)) }
        lines = text(browser)
        #expect(lines[9].contains("price lookup failed") && lines[11].hasPrefix("/pri"))
        #expect(!lines.contains { $0.contains("disk nearly full") })
        _ = try browser.handle(.enter)
        _ = try browser.handle(.enter)
        lines = text(browser)
        #expect(lines[0].hasPrefix("Trace 0000000000000001") && lines.last?.hasPrefix("span 3/3") == true)
        _ = try browser.handle(.escape)
        #expect(text(browser)[0].contains("logs, newest at the bottom"))
        _ = try browser.handle(.escape)
        _ = try browser.handle(.escape)
        #expect(text(browser)[0].hasPrefix("trace — :memory:  ·  newest first"))
    }
}

