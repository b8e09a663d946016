import Foundation
import Testing
import TraceFixtures

/// `trace stats`, `trace diff` and `show --critical-path` on a database recorded by `trace run`,
/// checked against what sqlite3 computes from the same file.
@Suite struct ExplainTests {
    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// Nearest-rank percentile, computed here independently of the code under test.
    func nearestRank(_ values: [Int64], _ p: Double) -> Double {
        let sorted = values.sorted()
        return Double(sorted[max(1, Int((p / 100 * Double(sorted.count)).rounded(.up))) - 1]) / 1e6
    }

    func column(_ path: String, _ sql: String) throws -> [Int64] {
        try sqlite(path, sql).split(separator: "\n").compactMap { Int64($0) }
    }

    @Test func statsDiffAndCriticalPathOnARecordedRun() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("traces.db").path
        let run = try TraceBinary.run(["run", "--requests", "40", "--concurrency", "2", "--backend-latency", "1ms", "--error-rate", "0.25"], in: directory)
        #expect(run.status == 0)

        // stats --json agrees with sqlite3 over the same file.
        let stats = try TraceBinary.run(["stats", "--json"], in: directory)
        #expect(stats.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(json["traces"] as? Int == 40)
        #expect(json["errorTraces"] as? Int == Int(try sqlite(db, "SELECT count(*) FROM trace WHERE error_count > 0")))
        let roots = try #require(json["rootOperations"] as? [[String: Any]])
        #expect(roots.count == 1 && roots[0]["name"] as? String == "incoming call" && roots[0]["count"] as? Int == 40)
        let operations = try #require(json["operations"] as? [[String: Any]])
        let server = try #require(operations.first { $0["name"] as? String == "GET /" })
        let serverDurations = try column(db, "SELECT end_ns - start_ns FROM span WHERE name = 'GET /'")
        #expect(serverDurations.count == 40)
        let serverDuration = try #require(server["duration"] as? [String: Double])
        #expect(serverDuration["p50Ms"] == nearestRank(serverDurations, 50))
        #expect(serverDuration["p99Ms"] == nearestRank(serverDurations, 99))
        let hop = try #require((json["hops"] as? [[String: Any]])?.first)
        #expect(hop["calls"] as? Int == 40)
        let legs = try column(db, """
            SELECT s.start_ns - c.start_ns FROM span s JOIN span c ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id
            WHERE s.name = 'GET /'
            """)
        #expect((hop["requestLeg"] as? [String: Double])?["p90Ms"] == nearestRank(legs, 90))
        let network = try column(db, """
            SELECT (c.end_ns - c.start_ns) - (s.end_ns - s.start_ns) FROM span s JOIN span c ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id
            WHERE s.name = 'GET /'
            """)
        #expect((hop["network"] as? [String: Double])?["p50Ms"] == nearestRank(network, 50))
        let histogram = try #require(json["histogram"] as? [[String: Any]])
        #expect(histogram.compactMap { $0["count"] as? Int }.reduce(0, +) == 40)

        // The text form has every table and the histogram with its marks.
        let text = try TraceBinary.run(["stats", "--errors"], in: directory)
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("Traces    \(try sqlite(db, "SELECT count(*) FROM trace WHERE error_count > 0")) over "))
        for heading in ["ROOT OPERATION", "SERVICE   SPAN", "HOP (client span → server span)", "    request leg", "Trace duration"] {
            #expect(text.stdout.contains(heading))
        }
        #expect(lines(text.stdout).contains { $0.contains("◀ p50") })
        let none = try TraceBinary.run(["stats", "--service", "nosuch"], in: directory)
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr == "no traces match in traces.db\n")

        // diff: the fastest against the slowest, then against the median.
        let ids = try sqlite(db, "SELECT trace_id FROM trace ORDER BY end_ns - start_ns, trace_id").split(separator: "\n").map(String.init)
        let (fastest, slowest) = (ids[0], ids[ids.count - 1])
        let diff = try TraceBinary.run(["diff", String(fastest.prefix(12)), slowest], in: directory)
        #expect(diff.status == 0)
        #expect(lines(diff.stdout)[0].hasPrefix("A  \(fastest)") && lines(diff.stdout)[1].hasPrefix("B  \(slowest)"))
        let verdict = try #require(lines(diff.stdout).first { $0.hasPrefix("Verdict  +") })
        #expect(verdict.contains("% in "))
        let median = try TraceBinary.run(["diff", "--against", "median", slowest], in: directory)
        #expect(median.status == 0)
        #expect(median.stderr == "A is the median of 40 traces with the same root operation\n")
        #expect(lines(median.stdout)[0].hasPrefix("A  \(ids[19])"))

        // show --critical-path marks the path and totals it per service.
        let show = try TraceBinary.run(["show", slowest, "--critical-path"], in: directory)
        #expect(show.status == 0)
        #expect(lines(show.stdout).contains { $0.hasPrefix("● incoming call") })
        #expect(lines(show.stdout).contains { $0.hasPrefix("Critical path  ") && $0.contains("(100% of the trace)") })
    }
}

/// `trace list --follow` next to a database being written.
@Suite struct FollowTests {
    @Test func followPrintsEachNewTraceOnceWithItsRootAndStopsOnCtrlC() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("traces.db").path
        #expect(try TraceBinary.run(["run", "--requests", "3"], in: directory).status == 0)
        let follower = try RunningProcess(["list", "--follow", "--json", "--limit", "2"], in: directory)
        let errorsOnly = try RunningProcess(["list", "--follow", "--errors"], in: directory)
        // Each has printed what was there (two JSON lines; a header), so each follows from here on.
        follower.waitForStdoutLines(2)
        errorsOnly.waitForStdoutLines(1)
        let before = Set(try sqlite(db, "SELECT trace_id FROM trace").split(separator: "\n").map(String.init))
        #expect(try TraceBinary.run(["run", "--requests", "6", "--error-rate", "0.5"], in: directory).status == 0)
        let added = try sqlite(db, "SELECT trace_id, error_count > 0 FROM trace").split(separator: "\n")
            .map { $0.split(separator: "|").map(String.init) }.filter { !before.contains($0[0]) }
        #expect(added.count == 6)
        let errors = added.filter { $0[1] == "1" }.map { $0[0] }
        follower.waitForStdoutLines(2 + 6)
        errorsOnly.waitForStdoutLines(1 + errors.count)
        let (followed, followedErrors) = (follower.stop(), errorsOnly.stop())
        #expect(followed.status == 0 && followedErrors.status == 0)
        let objects = try followed.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 8, "\(followed.stdout)")
        let printed = objects.dropFirst(2).compactMap { $0["traceId"] as? String }
        #expect(printed.count == 6 && Set(printed) == Set(added.map { $0[0] }), "every new trace, once")
        #expect(objects.dropFirst(2).allSatisfy { $0["rootName"] as? String == "incoming call" }, "each printed with its root")
        let rows = followedErrors.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("TRACE ID") == true)
        #expect(Set(rows.dropFirst().map { String($0.prefix(32)) }) == Set(errors))
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix("  ERR") })
    }
}

@Suite struct FlameTests {
    /// `trace flame --folded` on a recorded run against sums sqlite3 computes from the same file.
    @Test func foldedStacksAgreeWithSQLite() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("traces.db").path
        #expect(try TraceBinary.run(["run", "--requests", "30", "--concurrency", "3", "--new-connections", "--backend-latency", "1ms"], in: directory).status == 0)
        func folded(_ measure: String) throws -> [String: Int64] {
            let result = try TraceBinary.run(["flame", "--folded", "--by", measure], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            return Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").map { line in
                let cut = line.lastIndex(of: " ")!
                return (String(line[..<cut]), Int64(line[line.index(after: cut)...])!)
            })
        }
        let bySelf = try folded("self"), byCritical = try folded("critical")
        let sum = { (sql: String) in Int64(try sqlite(db, sql))! }
        let wait = "frontend: incoming call;frontend: backend call;frontend: http.wait"
        // A server span sits under the client's step it overlaps most: the wait, unless (a rare
        // race) the request was still being sent for most of it. The wait's own time is what the
        // servers under it do not cover.
        let overlap = { (step: String) in "(min(g.end_ns, \(step).end_ns) - max(g.start_ns, \(step).start_ns))" }
        let inWait = """
            FROM span g JOIN span w ON w.trace_id = g.trace_id AND w.name = 'http.wait' JOIN span s ON s.trace_id = g.trace_id AND s.name = 'http.send'
            WHERE g.name = 'GET /' AND \(overlap("w")) > 0 AND \(overlap("w")) >= \(overlap("s"))
            """
        let serverInWait = try sum("SELECT coalesce(sum(g.duration_ns), 0) \(inWait)")
        let coveredInWait = try sum("SELECT coalesce(sum(\(overlap("w"))), 0) \(inWait)")
        let server = try sum("SELECT sum(duration_ns) FROM span WHERE name = 'GET /'")
        #expect((bySelf[wait + ";backend: GET /"] ?? 0) == serverInWait)
        #expect(bySelf.filter { $0.key.hasSuffix(";backend: GET /") }.values.reduce(0, +) == server)
        #expect(bySelf[wait] == (try sum("SELECT sum(duration_ns) FROM span WHERE name = 'http.wait'")) - coveredInWait)
        #expect(bySelf["frontend: incoming call;frontend: backend call;frontend: http.connect"]
            == (try sum("SELECT sum(duration_ns) FROM span WHERE name = 'http.connect'")))
        // Time on the critical paths adds up to the traces' time.
        #expect(byCritical.values.reduce(0, +) == (try sum("SELECT sum(duration_ns) FROM trace")))
        let chart = try TraceBinary.run(["flame", "--width", "100"], in: directory)
        #expect(chart.stdout.hasPrefix("Flame graph of 30 traces, widths by total time"))
        #expect(chart.stdout.contains("\n▕frontend: incoming call"))
        #expect(chart.stdout.contains("\n      backend: GET /  "), "the frame table lists the server under the wait")
    }
}

@Suite struct MapTests {
    /// `trace map --json` on a recorded run against sqlite3's count of the same calls.
    @Test func callsAgreeWithSQLite() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("traces.db").path
        #expect(try TraceBinary.run(["run", "--requests", "40", "--concurrency", "4", "--error-rate", "0.25"], in: directory).status == 0)
        let result = try TraceBinary.run(["map", "--json"], in: directory)
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let calls = try #require(json["calls"] as? [[String: Any]])
        #expect(calls.count == 1)
        let hops = """
            FROM span s JOIN span c ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id
            JOIN resource rs ON rs.id = s.resource_id JOIN resource rc ON rc.id = c.resource_id
            WHERE rs.service_name = 'backend' AND rc.service_name = 'frontend'
            """
        #expect(calls[0]["client"] as? String == "frontend" && calls[0]["server"] as? String == "backend")
        #expect(calls[0]["calls"] as? Int == Int(try sqlite(db, "SELECT count(*) \(hops)")))
        #expect(calls[0]["errors"] as? Int == Int(try sqlite(db, "SELECT count(*) \(hops) AND (s.status_code = 2 OR c.status_code = 2)")))
        let serverTimes = try sqlite(db, "SELECT s.duration_ns \(hops) ORDER BY 1").split(separator: "\n").compactMap { Int64($0) }
        #expect(calls[0]["serverP50Ms"] as? Double == Double(serverTimes[Int((0.5 * Double(serverTimes.count)).rounded(.up)) - 1]) / 1e6)
        let text = try TraceBinary.run(["map"], in: directory)
        #expect(text.stdout.contains("frontend (") && text.stdout.contains("└─▶ backend ("))
    }
}

/// The README's imported examples: issue 12's fan-out trace and a trace from a host whose clock
/// runs 2.5 s ahead.
@Suite struct ImportedExampleTests {
    func imported() throws -> URL {
        let directory = try makeTemporaryDirectory()
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples").standardized
        let result = try TraceBinary.run(["import", examples.appendingPathComponent("fan-out.json").path,
                                          examples.appendingPathComponent("skewed-trace.json").path], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        return directory
    }

    @Test func theFanOutTracesCriticalPathSkipsTheParallelChild() throws {
        let directory = try imported()
        defer { try? FileManager.default.removeItem(at: directory) }
        let shown = try TraceBinary.run(["show", "0af76519", "--critical-path", "--width", "100"], in: directory)
        let lines = shown.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("    c1 ") }, "c1 unmarked")
        #expect(lines.contains { $0.hasPrefix("●   c2 ") })
        #expect(lines.contains("  through root → c2 → c3"))
        #expect(lines.contains { $0.split(separator: " ").joined(separator: " ") == "shop 100ms 100.0%" })
        #expect(lines.contains("  in parallel, off the critical path: shop 40ms"))
    }

    @Test func adjustSkewIsOffUnlessAskedAndAlwaysSaysWhatMoved() throws {
        let directory = try imported()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try TraceBinary.run(["show", "4bf92f35", "--width", "100"], in: directory)
        #expect(!plain.stdout.contains("⇆") && plain.stdout.contains("Duration  2.61s"))
        let adjusted = try TraceBinary.run(["show", "4bf92f35", "--adjust-skew", "--width", "100"], in: directory)
        #expect(adjusted.stdout.contains("Duration  120ms"))
        #expect(adjusted.stdout.contains("GET /api/orders ⇆"))
        #expect(adjusted.stdout.contains("⇆ clock skew: `GET /api/orders` (orders-api) and the spans under it moved earlier by 2.51s into its client's window"))
        for command in [["stats"], ["flame"]] {
            let run = try TraceBinary.run(command + ["--adjust-skew"], in: directory)
            #expect(run.status == 0)
            #expect(run.stderr == "clock skew adjusted in 1 trace: 2 spans moved into their clients' windows\n", "\(command)")
            #expect(try TraceBinary.run(command, in: directory).stderr == "", "\(command): silent without the flag")
        }
        let diff = try TraceBinary.run(["diff", "0af76519", "4bf92f35", "--adjust-skew"], in: directory)
        #expect(diff.stderr.contains("B: ⇆ clock skew: `GET /api/orders`"))
        #expect(diff.stderr.contains("A: clock skew: no server span lay outside its client's window; nothing moved"))
        let refused = try TraceBinary.run(["show", "4bf92f35", "--adjust-skew", "--format", "otlp-json"], in: directory)
        #expect(refused.status == 64)
    }
}
