import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// Runs as a user meets them: every `trace run` and `trace collect` recorded, `trace runs`
/// listing them, and `--run` selecting one run's telemetry on the commands that read.
@Suite struct RunsCommandTests {
    func runsJSON(in directory: URL) throws -> [[String: Any]] {
        let listed = try TraceBinary.run(["runs", "--json"], in: directory)
        #expect(listed.status == 0, "\(listed.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    }

    @Test func eachRunIsRecordedAndSelectsExactlyItsOwnTraces() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try TraceBinary.run(["run", "--requests", "12", "--label", "before"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try TraceBinary.run(["run", "--requests", "7", "--error-rate", "1"], in: directory)
        #expect(second.status == 0, "\(second.stderr)")

        let runs = try runsJSON(in: directory)
        #expect(runs.count == 2)
        #expect(runs.map { $0["id"] as? Int } == [1, 2])
        #expect(runs.map { $0["kind"] as? String } == ["run", "run"])
        #expect(runs[0]["label"] as? String == "before" && runs[1]["label"] is NSNull)
        #expect(runs.map { $0["traces"] as? Int } == [12, 7])
        #expect(runs.map { $0["errorTraces"] as? Int } == [0, 7])
        #expect(runs.map { $0["exitCode"] as? Int } == [0, 0])
        #expect(runs[1]["command"] as? String == "trace run --requests 7 --error-rate 1")
        let start = try #require(runs[0]["startTimeUnixNano"] as? UInt64), end = try #require(runs[0]["endTimeUnixNano"] as? UInt64)
        #expect(start < end)

        // Each selector names the same run, and its traces are exactly the run's.
        for selector in ["1", "before", "last~1"] {
            let listed = try TraceBinary.run(["list", "--run", selector, "--limit", "100", "--json"], in: directory)
            let traces = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(traces.count == 12, "--run \(selector)")
        }
        let errors = try TraceBinary.run(["list", "--run", "last", "--errors", "--limit", "100", "--json"], in: directory)
        #expect(try (JSONSerialization.jsonObject(with: Data(errors.stdout.utf8)) as? [Any])?.count == 7)
        let stats = try TraceBinary.run(["stats", "--run", "last", "--json"], in: directory)
        let statsObject = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(statsObject["traces"] as? Int == 7 && statsObject["errorTraces"] as? Int == 7)
        let logs = try TraceBinary.run(["logs", "--run", "before", "--limit", "1000", "--json"], in: directory)
        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("traces.db").path)
        let firstRun = try #require(try store.run(.id(1)))
        #expect(try (JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [Any])?.count == firstRun.totals?.logRecords)
        #expect((firstRun.totals?.logRecords ?? 0) > 0)

        let table = try TraceBinary.run(["runs"], in: directory)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID  KIND  LABEL ") && lines[0].hasSuffix("COMMAND"))
        #expect(lines[1].contains(" run   before ") && lines[1].hasSuffix("trace run --requests 12 --label before"))
    }

    @Test func pruningARunDeletesItsTelemetryAndForgetsIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for requests in ["5", "9"] {
            #expect(try TraceBinary.run(["run", "--requests", requests], in: directory).status == 0)
        }
        let pruned = try TraceBinary.run(["prune", "--run", "last~1"], in: directory)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.hasPrefix("deleted 5 traces (") && pruned.stdout.contains("kept 9; forgot run 1;"), "\(pruned.stdout)")
        #expect(try runsJSON(in: directory).map { $0["id"] as? Int } == [2])
        let left = try TraceBinary.run(["list", "--run", "last", "--json"], in: directory)
        #expect(try (JSONSerialization.jsonObject(with: Data(left.stdout.utf8)) as? [Any])?.count == 9)
    }

    @Test func aCollectSessionIsARunToo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collect = try RunningProcess(["collect", "--grpc-port", "off", "--http-port", "0", "--label", "session"], in: directory)
        let port = try #require(listeningPort(in: collect.waitForStderr(containing: "/v1/traces")))
        // A trace made while the session runs, as an app's would be.
        let source = directory.appendingPathComponent("source.db").path
        try TraceStore.openForWriting(path: source).insert(sampleTrace(id: 7, start: UInt64(Date().timeIntervalSince1970 * 1e9)))
        let exported = try TraceBinary.run(["show", "0000000000000007", "--db", source, "--format", "otlp-json"], in: directory)
        let posted = try runPython(["-c", """
            import sys, urllib.request
            req = urllib.request.Request(sys.argv[1], data=sys.stdin.buffer.read(), headers={"Content-Type": "application/json"})
            print(urllib.request.urlopen(req).status)
            """, "http://127.0.0.1:\(port)/v1/traces"], stdin: Data(exported.stdout.utf8))
        #expect(posted.stdout == "200\n")
        let stopped = collect.stop(with: SIGINT)
        #expect(stopped.status == 0)
        let runs = try runsJSON(in: directory)
        #expect(runs.count == 1)
        #expect(runs.first?["kind"] as? String == "collect" && runs.first?["label"] as? String == "session")
        #expect(runs.first?["exitCode"] as? Int == 0)
        #expect(runs.first?["traces"] as? Int == 1, "the trace started while it ran")
    }

    @Test(arguments: [
        (["list", "--run", "nope"], 1, "no run nope in traces.db: no run is recorded there yet"),
        (["run", "--label", "last~2"], 64, "--label 'last~2' would read as a run id or last~N"),
        (["prune", "--run", "last", "--keep", "3"], 64, "--run and --keep do not combine"),
    ])
    func mistakesAreOneLine(arguments: [String], status: Int32, message: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TraceStore.openForWriting(path: directory.appendingPathComponent("traces.db").path).insert(sampleTrace(id: 1))
        let result = try TraceBinary.run(arguments, in: directory)
        #expect(result.status == status)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
