import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// `trace logs` as a user runs it: its filters, its refusals, and following a file being written.
@Suite struct LogsCommandTests {
    func databaseWithLogs(in directory: URL) throws -> TraceStore {
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("traces.db").path)
        try store.insert(sampleTrace(id: 1) + sampleTrace(id: 2, start: 1_700_000_100_000_000_000))
        try store.insert(sampleLogs(id: 1) + sampleLogs(id: 2, start: 1_700_000_100_000_000_000))
        return store
    }

    @Test func filtersSelectAndLinesSayWhatAUserNeeds() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try databaseWithLogs(in: directory)
        let all = try TraceBinary.run(["logs", "--width", "120"], in: directory, environment: ["TZ": "UTC"])
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        let newest = try #require(lines.first)
        #expect(newest.hasPrefix("2023-11-14 22:15:00.004  ERROR  backend   price lookup failed: timeout  "), "newest first, by the observed time when the record has none")
        #expect(newest.hasSuffix("  " + String(sampleTrace(id: 2)[0].traceID.hex.prefix(8))) && newest.count == 120)
        #expect(lines.contains { $0.hasSuffix("DEBUG  backend   cache warmed") }, "a record of no trace: no id, no padding")
        let traceID = sampleTrace(id: 1)[0].traceID.hex
        let oneTrace = try TraceBinary.run(["logs", "--trace", String(traceID.prefix(16)), "--severity", "warn"], in: directory)
        #expect(oneTrace.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] } == ["ERROR", "WARN"])
        let none = try TraceBinary.run(["logs", "--grep", "nowhere"], in: directory)
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("no log records match"))
    }

    @Test(arguments: [
        (["logs", "--severity", "loud"], "unknown severity 'loud': use one of trace, debug, info, warn, error, fatal"),
        (["logs", "--grep", " -- "], "--grep needs at least one word to search for"),
        (["logs", "--trace", "xyz"], "'xyz' is not a trace id: expected 1 to 32 hex digits"),
        (["logs", "--limit", "0"], "--limit must be at least 1, got 0"),
    ])
    func badInputIsOneLineAndExit64(arguments: [String], message: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try TraceBinary.run(arguments, in: directory)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("traces.db").path))
    }

    @Test func followPrintsTheLastRecordsThenEachNewOneOnce() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try databaseWithLogs(in: directory)
        let follower = try RunningProcess(["logs", "--follow", "--json", "--limit", "2", "--severity", "info"], in: directory)
        follower.waitForStdoutLines(2)
        try store.insert([LogRecord(timeUnixNano: 1, severityNumber: 9, body: .string("arrived late"), resource: frontendResource),
                          LogRecord(timeUnixNano: 2, severityNumber: 5, body: .string("debug, filtered out"), resource: frontendResource)])
        follower.waitForStdoutLines(3)
        let followed = follower.stop()
        #expect(followed.status == 0)
        let severities = try followed.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["severity"] as? String
        }
        #expect(severities == ["WARN", "Error", "INFO"], "the last two at INFO or above, oldest first, then the new one: \(followed.stdout)")
    }
}

/// The demo logs as real services do: each record under its span, errors at ERROR with the reason,
/// whichever tracer records them; the run's summary counts them.
@Suite struct DemoLogsTests {
    @Test(arguments: ["builtin", "swift-otel"])
    func everyRequestLogsUnderItsSpans(tracer: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--requests", "40", "--error-rate", "0.5", "--tracer", tracer], in: directory)
        #expect(run.status == 0)
        let db = directory.appendingPathComponent("traces.db").path
        let failed = Int(try sqlite(db, "SELECT count(*) FROM trace WHERE error_count > 0")) ?? -1
        #expect(failed > 0 && failed < 40)
        #expect(run.stdout.contains("  logs         \(120 + failed) records, \(2 * failed) at WARN or above (trace logs --severity warn)"), "\(run.stdout)")
        // Each record sits in the span that was active where it was logged.
        let placed = try sqlite(db, """
            SELECT l.service_name, s.name, l.severity_number / 4, substr(l.body, 1, 16), count(*)
            FROM log l JOIN span s ON s.trace_id = l.trace_id AND s.span_id = l.span_id
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """)
        #expect(placed == """
            backend|GET /|2|handling request|40
            backend|GET /|4|injected failure|\(failed)
            frontend|incoming call|2|backend answered|\(40 - failed)
            frontend|incoming call|2|request started|40
            frontend|incoming call|3|backend answered|\(failed)
            """)
        let show = try TraceBinary.run(["show", try sqlite(db, "SELECT trace_id FROM trace WHERE error_count > 0 LIMIT 1"), "--width", "120"], in: directory)
        #expect(show.stdout.contains("Logs 4 (1 error)"))
        #expect(show.stdout.contains("ERROR  injected failure: answering 500 (--error-rate 0.5)"))
    }

    @Test func noLogsRecordsSpansOnly() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--requests", "5", "--no-logs"], in: directory)
        #expect(run.status == 0 && !run.stdout.contains("  logs "))
        #expect(try sqlite(directory.appendingPathComponent("traces.db").path, "SELECT count(*) FROM logs") == "0")
    }
}
