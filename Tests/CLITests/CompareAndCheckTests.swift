import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// `trace compare` and `trace check` on real `trace run` pairs: the same workload twice is not
/// called a change; two milliseconds added in the backend is, where it shows and nowhere else.
@Suite(.serialized) struct CompareAndCheckTests {
    /// Two runs of one workload, then one with the backend 2 ms slower, in one file.
    static func recordRuns(in directory: URL) throws {
        for (label, extra) in [("first", [String]()), ("second", []), ("slow", ["--backend-latency", "2ms"])] {
            let run = try TraceBinary.run(["run", "--requests", "300", "--concurrency", "4", "--label", label] + extra, in: directory)
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    /// Two `trace run`s at the same time, each into a file of its own: whatever else the machine
    /// does (the rest of the suite runs beside this test) weighs on both alike. One request at a
    /// time, with the backend taking `backendLatency`: each run's latencies are its own work and
    /// the backend's, not a queue behind the other's.
    static func recordSideBySide(_ first: (file: String, backendLatency: String), _ second: (file: String, backendLatency: String), in directory: URL) throws {
        let runs = try [first, second].map { file, latency in
            try RunningProcess(["run", "--requests", "300", "--concurrency", "1", "--backend-latency", latency, "--db", file], in: directory)
        }
        for run in runs { #expect(run.finish().status == 0) }
    }

    func verdicts(_ arguments: [String], in directory: URL) throws -> [String: String] {
        let result = try TraceBinary.run(["compare"] + arguments + ["--json"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let operations = try #require(object["operations"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: operations.map { ($0["operation"] as! String, $0["verdict"] as! String) })
    }

    @Test func theSameWorkloadTwiceIsTheSame() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.recordSideBySide(("a.db", "3ms"), ("b.db", "3ms"), in: directory)
        let same = try verdicts(["a.db", "b.db"], in: directory)
        let table = try TraceBinary.run(["compare", "a.db", "b.db"], in: directory).stdout
        #expect(same.count == 8, "\(table)")
        #expect(same.values.allSatisfy { $0 == "same" || $0 == "too few" }, "no false alarm: \(table)")
        #expect(same["frontend: incoming call"] == "same" && same["backend: GET /"] == "same", "\(table)")
    }

    @Test func aSlowerBackendIsSlowerWhereItShowsAndNowhereElse() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The backend 2 ms slower than the baseline's.
        try Self.recordSideBySide(("before.db", "3ms"), ("after.db", "5ms"), in: directory)
        // The backend's own span is slower; the frontend's spans that wait on it are slower too, which
        // a machine loaded enough (the rest of the suite, a build) can blur into `same`, but never
        // `faster`; the steps that do not wait on the backend are never flagged.
        let slower = try verdicts(["before.db", "after.db"], in: directory)
        let table = try TraceBinary.run(["compare", "before.db", "after.db"], in: directory).stdout
        #expect(slower["backend: GET /"] == "slower", "\(table)")
        for waiting in ["frontend: backend call", "frontend: http.wait", "frontend: incoming call"] {
            #expect(slower[waiting] == "slower" || slower[waiting] == "same", "\(waiting): \(table)")
        }
        #expect(slower["frontend: http.send"] == "same" && slower["frontend: http.receive"] == "same", "\(table)")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "A: before.db (every trace)")
        #expect(lines.contains { $0.hasPrefix("backend: GET /") && $0.hasSuffix("slower") })
        #expect(lines.last?.hasSuffix(" slower, 0 faster.") == true)
    }

    @Test func runsInOneFileCompareByName() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.recordRuns(in: directory)
        let named = try verdicts(["second", "slow"], in: directory)
        #expect(named["backend: GET /"] == "slower")
        // With no runs named, the last two: second and slow.
        #expect(try verdicts([], in: directory) == named)
        // By a TraceQL field's value instead of service and name.
        let byService = try verdicts(["second", "slow", "--by", "resource.service.name"], in: directory)
        #expect(byService.keys.sorted() == ["backend", "frontend"])
        #expect(byService["backend"] == "slower")
        let table = try TraceBinary.run(["compare", "second", "slow"], in: directory)
        #expect(table.stdout.hasPrefix("A: run 2 \"second\": trace run --requests 300 --concurrency 4 --label second, 300 traces\n"
            + "B: run 3 \"slow\": trace run --requests 300 --concurrency 4 --label slow --backend-latency 2ms, 300 traces\n"))
    }

    @Test func checkMeasuresEachRuleAndFailsTheBuildWhenOneBreaks() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.recordRuns(in: directory)
        let rules = directory.appendingPathComponent("rules.txt")
        try Data("""
            # what the demo must keep doing
            no '{ status = error }'
            count('{ kind = server && resource.service.name = "frontend" }') >= 300

            p99('{ name = "GET /" }') < 10s
            """.utf8).write(to: rules)
        // A run is never slower than itself: the rule's passing path, whatever the machine did meanwhile.
        let holds = try TraceBinary.run(["check", "--run", "second", "--rules", rules.path, "--baseline", "second", "--require", "no slower"], in: directory)
        #expect(holds.status == 0, "\(holds.stdout)\(holds.stderr)")
        let lines = holds.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("PASS  no slower ") && lines[0].contains("none slower than run 2 \"second\" (8 operations compared)"))
        #expect(lines[1].hasPrefix("PASS  no '{ status = error }' ") && lines[1].hasSuffix("0 matching spans"))
        #expect(lines[2].hasSuffix("300 matching spans"))
        #expect(lines[3].contains("p99 ") && lines[3].hasSuffix(" over 300 spans"))
        #expect(lines[4] == "All 4 rules hold for run 2 \"second\".")

        let junit = directory.appendingPathComponent("check.xml")
        let breaks = try TraceBinary.run(["check", "--baseline", "second", "--require", "no slower", "--require", "p50('{ name = \"GET /\" }') < 1ms",
                                          "--require", "count('{ }') = 0", "--junit", junit.path], in: directory)
        #expect(breaks.status == 1)
        let failed = breaks.stdout.split(separator: "\n").map(String.init)
        #expect(failed[0].hasPrefix("FAIL  no slower ") && failed[0].contains(" slower than run 2 \"second\": backend: GET /"))
        #expect(failed[1].hasPrefix("FAIL  p50('{ name = \"GET /\" }') < 1ms ") && failed[1].contains("ms over 300 spans"))
        #expect(failed[2].hasPrefix("FAIL  count('{ }') = 0 "))
        #expect(failed.last == "3 of 3 rules failed for run 3 \"slow\".")
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"trace check\" tests=\"3\" failures=\"3\""))
        #expect(xml.contains("<testcase classname=\"trace check\" name=\"p50(&apos;{ name = &quot;GET /&quot; }&apos;) &lt; 1ms\"><failure message=\"p50 "))
        // What CI systems read: well-formed XML with a test case a rule.
        let parsed = try runPython(["-c", "import sys, xml.etree.ElementTree as E; t = E.parse(sys.argv[1]); print(len(t.findall('.//testcase')), len(t.findall('.//failure')))", junit.path])
        #expect(parsed.stdout == "3 3\n", "\(parsed.stderr)")
    }

    @Test(arguments: [
        (["check", "--require", "p99('{ name = }') < 5ms"], 64, "rule 'p99('{ name = }') < 5ms', column"),
        (["check", "--require", "median('{ }') < 5ms"], 64, "unknown rule 'median'"),
        (["check", "--require", "p99('{ }') < fast"], 64, "p99 compares with a duration, e.g. 50ms"),
        (["check"], 64, "give at least one --require RULE or --rules FILE"),
        (["compare", "nope", "last"], 1, "no run nope in traces.db"),
        (["compare", "--confidence", "2"], 64, "--confidence must be from 0.5 to 0.9999, got 2.0"),
        (["compare", "missing.db", "other.db"], 1, "no trace database at missing.db"),
    ])
    func mistakesAreOneLineWithACaretWhereThereIsOne(arguments: [String], status: Int32, message: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TraceStore.openForWriting(path: directory.appendingPathComponent("traces.db").path).insert(sampleTrace(id: 1))
        let result = try TraceBinary.run(arguments, in: directory)
        #expect(result.status == status)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        if arguments.contains("--require") { #expect(result.stderr.split(separator: "\n").last?.trimmingCharacters(in: .whitespaces) == "^") }
    }
}
