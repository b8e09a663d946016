import Foundation
import Testing
import TraceFixtures

@Suite struct TUIEndToEndTests {
    @Test func browsesARecordedRunAndRestoresTheTerminal() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--requests", "20", "--db", "tui.db"], in: directory)
        #expect(run.status == 0)
        let listed = try TraceBinary.run(["list", "--db", "tui.db", "--limit", "1", "--sort", "duration", "--json"], in: directory)
        let traces = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let traceID = try #require(traces.first?["traceId"] as? String)

        let command = "cd '\(directory.path)' && LANG=C.UTF-8 TERM=xterm-256color '\(TraceBinary.url.path)' tui --db tui.db; echo TUI-EXIT:$?; exec cat"
        let tmux = try TmuxSession(command: command, width: 120, height: 40)
        // Each step waits for the whole state it expects: ncurses redraws in pieces, so a capture
        // may show the new header above the old body.
        _ = try tmux.waitFor("the list") { $0.contains("1/20 traces") && $0.contains("trace — tui.db") }

        // Filter as you type on the trace id.
        try tmux.send("/")
        try tmux.sendLiteral(String(traceID.prefix(10)))
        try tmux.send("Enter")
        _ = try tmux.waitFor("the filtered list") { $0.contains("1/1 traces") && $0.contains(String(traceID.prefix(16))) }

        // Open it; walk down to the backend's span; its attributes and events are in the detail pane.
        try tmux.send("Enter")
        _ = try tmux.waitFor("the waterfall") { $0.contains("Trace \(traceID)") && $0.contains("▾ incoming call") }
        for _ in 0..<8 where !(try tmux.screen()).contains("service   backend") {
            let before = try tmux.screen()
            try tmux.send("j")
            _ = try tmux.waitFor("the selection to move") { $0 != before }
        }
        _ = try tmux.waitFor("the backend span's details, its log record first") { screen in
            let detail = Self.detailPane(screen).joined(separator: "\n")
            return detail.hasPrefix(" GET /") && detail.contains("service   backend") && detail.contains("kind      server")
                && detail.contains(" Logs\n   ▪ +") && detail.contains("INFO  handling request")
        }

        // Tab moves the focus to the detail pane; scrolling it brings the attributes, then the events into view.
        try tmux.send("Tab")
        for _ in 0..<20 where !Self.detailPane(try tmux.screen()).contains(where: { $0.contains("http.route = /") }) { try tmux.send("j") }
        _ = try tmux.waitFor("the span's attributes") { Self.detailPane($0).contains { $0.contains("http.route = /") } }
        for _ in 0..<20 where !Self.detailPane(try tmux.screen()).contains(where: { $0.hasPrefix("   ◆ +") }) { try tmux.send("j") }
        _ = try tmux.waitFor("the span's events") { screen in
            let detail = Self.detailPane(screen)
            return detail.contains { $0.hasPrefix(" Events") } && detail.contains { $0.hasPrefix("   ◆ +") && $0.contains("handling request") }
        }

        // Back to the waterfall; collapse `backend call`: its children leave the waterfall.
        try tmux.send("Tab")
        try tmux.send("g")
        try tmux.send("j")
        try tmux.send("Space")
        _ = try tmux.waitFor("backend call folded") { screen in
            screen.contains("▸ backend call") && !screen.split(separator: "\n").prefix { !$0.hasPrefix("────") }.contains { $0.contains("http.wait") }
        }
        try tmux.send("Space")
        _ = try tmux.waitFor("▾ backend call")

        // Quit: the program exits 0 and the terminal is back from the alternate screen.
        try tmux.send("q")
        let screen = try tmux.waitFor("TUI-EXIT:0")
        #expect(try tmux.tmux(["display", "-p", "-t", tmux.name, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(!screen.contains("incoming call"))
    }

    /// The live log view in a real terminal: `L`, a filter, Enter to the record's trace and span.
    @Test func theLogViewLeadsFromAnErrorLineToItsSpan() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TraceBinary.run(["run", "--requests", "20", "--error-rate", "0.3", "--db", "logs.db"], in: directory).status == 0)
        let command = "cd '\(directory.path)' && LANG=C.UTF-8 TERM=xterm-256color NO_COLOR=1 '\(TraceBinary.url.path)' tui --db logs.db; echo TUI-EXIT:$?; exec cat"
        let tmux = try TmuxSession(command: command, width: 120, height: 44)
        _ = try tmux.waitFor("the list") { $0.contains("1/20 traces") }
        try tmux.send("L")
        _ = try tmux.waitFor("the log view") { $0.contains("logs, newest at the bottom  ·  following") && $0.contains("INFO   frontend  request started") }
        try tmux.send("/")
        try tmux.sendLiteral("injected")
        _ = try tmux.waitFor("only the injected failures") { screen in
            let rows = screen.split(separator: "\n").filter { $0.contains("  backend  ") || $0.contains("  frontend  ") }
            return !rows.isEmpty && rows.allSatisfy { $0.contains("ERROR  backend") && $0.contains("injected failure") }
        }
        try tmux.send("Enter")
        try tmux.send("Enter")
        _ = try tmux.waitFor("the failed request's trace on its backend span") { screen in
            screen.hasPrefix("Trace ") && Self.detailPane(screen).first?.hasPrefix(" GET /") == true
                && Self.detailPane(screen).contains { $0.contains("ERROR  injected failure: answering 500") }
        }
        try tmux.send("Escape")
        _ = try tmux.waitFor("back in the log view") { $0.contains("logs, newest at the bottom") }
        try tmux.send("q")
        _ = try tmux.waitFor("TUI-EXIT:0")
    }

    /// The metrics screen in a real terminal: `M`, Enter draws the demo's request durations, and
    /// Enter on an exemplar of the slowest bucket opens the trace it was measured in.
    @Test func theMetricsScreenChartsADurationAndOpensAnExemplarsTrace() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TraceBinary.run(["run", "--requests", "30", "--db", "metrics.db"], in: directory).status == 0)
        let command = "cd '\(directory.path)' && LANG=C.UTF-8 TERM=xterm-256color NO_COLOR=1 '\(TraceBinary.url.path)' tui --db metrics.db; echo TUI-EXIT:$?; exec cat"
        let tmux = try TmuxSession(command: command, width: 120, height: 44)
        _ = try tmux.waitFor("the list") { $0.contains("1/30 traces") }
        try tmux.send("M")
        _ = try tmux.waitFor("the metrics") { $0.contains("·  metrics") && $0.contains("http.server.request.duration") && $0.contains("http.client.request.duration") }
        // The list is by name: client duration, server duration, server requests.
        try tmux.send("j")
        try tmux.send("Enter")
        let chart = try tmux.waitFor("the chart") { $0.contains("metric http.server.request.duration") && $0.contains("p99  last") }
        #expect(chart.contains("Slowest bucket"), "the builtin tracer keeps an exemplar a bucket")
        try tmux.send("Enter")
        _ = try tmux.waitFor("the exemplar's trace") { $0.hasPrefix("Trace ") && $0.contains("incoming call") }
        try tmux.send("Escape")
        _ = try tmux.waitFor("back on the chart") { $0.contains("metric http.server.request.duration") }
        try tmux.send("q")
        _ = try tmux.waitFor("TUI-EXIT:0")
    }

    /// The lines below the pane separator.
    static func detailPane(_ screen: String) -> [Substring] {
        Array(screen.split(separator: "\n").drop { !$0.hasPrefix("────") }.dropFirst())
    }

    @Test func ctrlCAndSIGTERMRestoreTheTerminalToo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("t.db").path
        try TraceStoreFixture.write(to: store)
        for (index, stop) in ["C-c", "SIGTERM"].enumerated() {
            let marker = "EXIT\(index):"
            let command = "cd '\(directory.path)' && LANG=C.UTF-8 TERM=xterm-256color '\(TraceBinary.url.path)' tui --db t.db; echo \(marker)$?; exec cat"
            let tmux = try TmuxSession(command: command, width: 100, height: 30)
            _ = try tmux.waitFor("1/1 traces")
            if stop == "C-c" {
                try tmux.send("C-c")
                _ = try tmux.waitFor("\(marker)0")
            } else {
                let pid = try tmux.tmux(["display", "-p", "-t", tmux.name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
                let child = try runPython(["-c", "import subprocess,sys; print(subprocess.check_output(['pgrep','-P',sys.argv[1]]).decode().split()[0])", pid]).stdout
                kill(pid_t(child.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, SIGTERM)
                _ = try tmux.waitFor("\(marker)0")
            }
            #expect(try tmux.tmux(["display", "-p", "-t", tmux.name, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    @Test func aMissingDatabaseIsReportedBeforeTheScreenIsTakenOver() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try TraceBinary.run(["tui", "--db", "missing.db"], in: directory)
        #expect(result.status == 1)
        #expect(result.stderr == "trace: error: no trace database at missing.db (record one with `trace run` or `trace collect`, or pass --db PATH)\n")
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}

import TraceStore

enum TraceStoreFixture {
    static func write(to path: String) throws {
        try TraceStore.openForWriting(path: path).insert(sampleTrace(id: 1))
    }
}
