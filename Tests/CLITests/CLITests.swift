import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// The `trace` binary as a user meets it: real processes, real files, real output.
@Suite struct CLIReadingTests {
    /// A database with two known traces, one with a hostile span name.
    func fixtureDatabase(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("fixture.db").path
        let store = try TraceStore.openForWriting(path: path)
        try store.insert(sampleTrace(id: 0xA1, start: 1_700_000_000_000_000_000))
        var hostile = sampleTrace(id: 0xA2, start: 1_700_000_001_000_000_000, rootNanos: 30_000_000, error: true)
        hostile[0].name = "evil\u{1B}[2J\u{07}name"
        hostile[2].attributes = [Attribute("note", .string("line1\nline2\u{1B}]0;title\u{07}"))]
        try store.insert(hostile)
        return path
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func listOnAMissingDatabaseFailsWithoutCreatingIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try TraceBinary.run(["list"], in: directory)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(lines(result.stderr) == ["trace: error: no trace database at traces.db (record one with `trace run` or `trace collect`, or pass --db PATH)"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func listPrintsNewestFirstAndHonoursTraceDB() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try fixtureDatabase(in: directory)
        let result = try TraceBinary.run(["list"], in: directory, environment: ["TRACE_DB": path, "TZ": "UTC"])
        #expect(result.status == 0)
        let rows = lines(result.stdout)
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("TRACE ID"))
        #expect(rows[1].hasPrefix("00000000000000a20000000000abcdef  2023-11-14 22:13:21.000      30ms      3  backend,frontend  frontend: evil\\e[2J\\x07name  ERR"))
        #expect(rows[2].hasPrefix("00000000000000a10000000000abcdef  2023-11-14 22:13:20.000      10ms      3  backend,frontend  frontend: incoming call"))
        #expect(!result.stdout.contains("\u{1B}"))
        // --db beats TRACE_DB.
        let override = try TraceBinary.run(["list", "--db", "elsewhere.db"], in: directory, environment: ["TRACE_DB": path])
        #expect(override.status == 1 && override.stderr.contains("no trace database at elsewhere.db"))
    }

    @Test func listFiltersAndPrintsJSON() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try fixtureDatabase(in: directory)
        let result = try TraceBinary.run(["list", "--db", path, "--json", "--errors"], in: directory)
        #expect(result.status == 0)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(objects.count == 1)
        let trace = objects[0]
        #expect(trace["traceId"] as? String == "00000000000000a20000000000abcdef")
        #expect(trace["start"] as? String == "2023-11-14T22:13:21.000000000Z")
        #expect(trace["durationMs"] as? Double == 30)
        #expect(trace["spanCount"] as? Int == 3)
        #expect(trace["services"] as? [String] == ["backend", "frontend"])
        #expect(trace["rootService"] as? String == "frontend")
        #expect(trace["rootName"] as? String == "evil\u{1B}[2J\u{07}name")
        #expect(trace["error"] as? Bool == true)
        let slow = try TraceBinary.run(["list", "--db", path, "--min-duration", "20ms", "--sort", "duration"], in: directory)
        #expect(lines(slow.stdout).count == 2)
        let none = try TraceBinary.run(["list", "--db", path, "--service", "nobody"], in: directory)
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("no traces match"))
    }

    @Test func showPrintsAWaterfallWithEverythingEscaped() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try fixtureDatabase(in: directory)
        let result = try TraceBinary.run(["show", "00000000000000a2", "--db", path, "--verbose", "--width", "100"], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Trace 00000000000000a20000000000abcdef\n"))
        #expect(result.stdout.contains("evil\\e[2J\\x07name"))
        #expect(result.stdout.contains("note = line1\\nline2\\e]0;title\\x07"))
        #expect(result.stdout.contains("frontend → backend: client `backend call` 8ms, server `GET /` 4ms, network & queueing 4ms"))
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"))
        #expect(lines(result.stdout).allSatisfy { $0.count <= 100 })
    }

    @Test func showExplainsBadIDs() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try fixtureDatabase(in: directory)
        let unknown = try TraceBinary.run(["show", "ffff", "--db", path], in: directory)
        #expect(unknown.status == 1)
        #expect(lines(unknown.stderr) == ["trace: error: no trace starting with ffff in \(path) (see `trace list`)"])
        let ambiguous = try TraceBinary.run(["show", "00000000000000a", "--db", path], in: directory)
        #expect(ambiguous.status == 1)
        #expect(lines(ambiguous.stderr) == ["trace: error: '00000000000000a' matches 2 traces: 00000000000000a10000000000abcdef, 00000000000000a20000000000abcdef; give more digits"])
        let malformed = try TraceBinary.run(["show", "xyz\u{1B}", "--db", path], in: directory)
        #expect(malformed.status == 64)
        #expect(lines(malformed.stderr).count == 1)
        #expect(malformed.stderr.contains("'xyz\\e' is not a trace id: expected 1 to 32 hex digits"))
    }

    @Test func refusesFilesThatAreNotTraceDatabasesAndLeavesThemAlone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notes.db").path
        let original = Data(String(repeating: "precious notes\n", count: 200).utf8)
        try original.write(to: URL(fileURLWithPath: path))
        for arguments in [["list"], ["show", "abc"], ["run", "--requests", "1"]] {
            let result = try TraceBinary.run(arguments + ["--db", path], in: directory)
            #expect(result.status == 1)
            #expect(lines(result.stderr) == ["trace: error: \(path) is not a trace database"])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["notes.db"])
    }

    @Test(arguments: [
        ["list", "--limit", "0"], ["list", "--min-duration", "soon"], ["list", "--sort", "name"], ["list", "--bogus"],
        ["run", "--requests", "0"], ["run", "--error-rate", "1.5"], ["run", "--concurrency", "0"], ["run", "--backend-latency", "fast"],
        ["run", "--otlp-endpoint", "not a url"], ["run", "--untraced", "--db", "x.db"], ["run", "--untraced", "--otlp-endpoint", "http://h:1"],
        ["run", "--untraced", "--tracer", "builtin"], ["run", "--tracer", "jaeger"], ["run", "--otlp-protocol", "grpc"],
        ["serve", "--otlp-protocol", "http/json", "--tracer", "builtin"],
        ["collect", "--port", "70000"], ["show"], ["show", "abc", "--width", "5"],
        ["show", "abc", "--critical-path", "--width", "2"], ["stats", "--by", "span"], ["stats", "--width", "5"],
        ["diff", "abc"], ["diff", "abc", "def", "--against", "median"], ["diff", "--against", "mean", "abc"], ["diff", "xyz", "abc"],
        ["export"], ["export", "--output", "x", "--otlp-endpoint", "http://h:1"], ["export", "--otlp-endpoint", "ftp://h"],
        ["export", "--output", "x", "--batch-size", "0"], ["import"], ["import", "-", "-"],
        ["prune"], ["prune", "--keep", "1", "--older-than", "1h"], ["prune", "--keep", "-1"], ["prune", "--older-than", "soon"],
    ])
    func invalidOptionsGetOneLineAndCreateNothing(arguments: [String]) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try TraceBinary.run(arguments, in: directory)
        #expect(result.status == 64)
        #expect(lines(result.stderr).count == 1)
        #expect(result.stderr.hasPrefix("trace: error: "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func helpIsWrittenForPeople() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let help = try TraceBinary.run(["--help"], in: directory)
        #expect(help.status == 0)
        for command in ["run", "serve", "collect", "import", "list", "show", "stats", "diff", "tui", "export", "prune"] { #expect(help.stdout.contains("  \(command) ")) }
        let runHelp = try TraceBinary.run(["run", "--help"], in: directory)
        #expect(runHelp.stdout.contains("--backend-latency <duration>"))
        #expect(runHelp.stdout.contains("--db <path>"))
    }

    /// The commands that serve traffic run Swift's tasks on NIO's event loops (the hook the README
    /// explains); the others leave Swift's pool alone. Fails if the hook is refused or never engages.
    @Test func servingCommandsRunTheirTasksOnTheEventLoops() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = ["TRACE_REPORT_EXECUTOR": "1"]
        let run = try TraceBinary.run(["run", "--requests", "5", "--db", "e.db"], in: directory, environment: report)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Swift tasks run on NIO's event loops"), "\(run.stderr)")
        let exec = try TraceBinary.run(["exec", "--db", "e.db", "--", "true"], in: directory, environment: report)
        #expect(exec.stderr.contains("Swift tasks run on NIO's event loops"), "\(exec.stderr)")
        let list = try TraceBinary.run(["list", "--db", "e.db"], in: directory, environment: report)
        #expect(list.stderr.contains("Swift tasks run on Swift's global pool"), "\(list.stderr)")
        // Writing commands close the file: it stands alone afterwards.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["e.db"])
    }

    /// Reading leaves the directory as it was: no `-wal` or `-shm` files beside the database.
    @Test func readingLeavesNoFilesBehind() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.db").path
        let store = try TraceStore.openForWriting(path: path)
        try store.insert(sampleTrace(id: 1))
        try store.close()
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(written == ["r.db"], "\(written)")
        let id = TraceID(high: 1, low: 0xABCDEF).hex
        for arguments in [["list"], ["show", id], ["stats"], ["list", "{ kind = server }"], ["diff", "--against", "median", id], ["map"], ["flame"]] {
            let result = try TraceBinary.run(arguments + ["--db", "r.db"], in: directory)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["r.db"], "after \(arguments)")
        }
    }
}

@Suite struct CLIRecordingTests {
    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func runThenShowTheSlowestTrace() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--requests", "25", "--concurrency", "4", "--backend-latency", "2ms", "--error-rate", "0.2"], in: directory)
        #expect(run.status == 0)
        #expect(run.stderr.contains(", builtin tracer; sending 25 requests, 4 at a time"), "\(run.stderr)")
        #expect(run.stdout.contains("Run complete"))
        #expect(run.stdout.contains("stored       25 traces"))
        let showLine = try #require(lines(run.stdout).first { $0.hasPrefix("  trace show ") })
        let id = String(showLine.dropFirst("  trace show ".count))
        #expect(id.count == 32)
        let show = try TraceBinary.run(["show", id], in: directory)
        #expect(show.status == 0)
        #expect(show.stdout.contains("incoming call"))
        #expect(show.stdout.contains("GET /"))
        #expect(show.stdout.contains("Where the time went"))
        let list = try TraceBinary.run(["list", "--limit", "100"], in: directory)
        #expect(lines(list.stdout).count == 26)
    }

    @Test func anUntracedRunServesTheSameLoadAndRecordsNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--untraced", "--requests", "40", "--concurrency", "4", "--error-rate", "0.25"], in: directory)
        #expect(run.status == 0)
        #expect(run.stdout.contains("Run complete"))
        #expect(lines(run.stdout).contains { $0.hasPrefix("  requests     40  (") && $0.hasSuffix("errors)") && !$0.contains("(0 errors)") })
        #expect(run.stdout.contains("tracing      off (--untraced): no spans made or stored"))
        #expect(!lines(run.stdout).contains { $0.hasPrefix("  stored ") || $0.hasPrefix("Where the time went") })
        #expect(run.stderr.contains("tracing off; sending 40 requests"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func interruptedRunStoresWhatItProducedAndExits130() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let running = try RunningProcess(["run", "--requests", "10000000", "--concurrency", "8"], in: directory)
        // Progress lines come every 2 s when stderr is not a terminal: wait for one, so work was done.
        let progress = running.waitForStderr(containing: " requests\n")
        let result = running.stop(with: SIGINT)
        let progressLine = try #require(lines(progress).first { $0.hasPrefix("progress: ") })
        let reported = try #require(Int(progressLine.split(separator: " ")[1]))
        #expect(reported > 0)
        #expect(result.status == 130)
        #expect(result.stdout.contains("Run interrupted after"))
        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("traces.db").path)
        var checked = 0
        try store.forEachTrace(matching: TraceQuery()) { trace in
            checked += 1
            #expect(trace.roots.count == 1)
            #expect(Set(trace.services) == ["frontend", "backend"])
        }
        #expect(checked >= reported)
        let stored = try #require(lines(result.stdout).first { $0.contains("stored ") })
        #expect(stored.contains("stored       \(checked) traces"))
    }

    @Test func collectStoresOTLPFromAnyClientAndRoundTripsShowOutput() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("source.db").path
        try TraceStore.openForWriting(path: source).insert(sampleTrace(id: 0xC0FFEE))
        let exported = try TraceBinary.run(["show", "0000000000c0ffee", "--db", source, "--format", "otlp-json"], in: directory)
        #expect(exported.status == 0)

        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "copy.db"], in: directory)
        let port = try #require(listeningPort(in: collector.waitForStderr(containing: "/v1/traces")))
        let posted = try runPython(["-c", """
            import sys, urllib.request
            req = urllib.request.Request(sys.argv[1], data=sys.stdin.buffer.read(), headers={"Content-Type": "application/json"})
            print(urllib.request.urlopen(req).status)
            """, "http://127.0.0.1:\(port)/v1/traces"], stdin: Data(exported.stdout.utf8))
        #expect(posted.stdout == "200\n")
        let stopped = collector.stop(with: SIGINT)
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("stopped: requests 1 accepted; spans 3 stored"))

        let copied = try TraceBinary.run(["show", "0000000000c0ffee", "--db", "copy.db", "--format", "otlp-json"], in: directory)
        #expect(copied.stdout == exported.stdout)
    }

    @Test func aPortInUseIsExplainedAndLeavesNoFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "first.db"], in: directory)
        let banner = first.waitForStderr(containing: "Ctrl-C to stop")
        let httpPort = try #require(listeningPort(in: banner))
        let grpcPort = try #require(grpcListeningPort(in: banner))
        let second = try TraceBinary.run(["collect", "--port", String(httpPort), "--grpc-port", "0", "--db", "second.db"], in: directory)
        #expect(second.status == 1)
        #expect(lines(second.stderr) == ["trace: error: cannot listen on 127.0.0.1:\(httpPort): address already in use (choose another with --http-port)"])
        let third = try TraceBinary.run(["collect", "--http-port", "0", "--grpc-port", String(grpcPort), "--db", "second.db"], in: directory)
        #expect(third.status == 1)
        #expect(lines(third.stderr) == ["trace: error: cannot listen on 127.0.0.1:\(grpcPort): address already in use (choose another with --grpc-port)"])
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("second.db").path))
        #expect(first.stop(with: SIGTERM).status == 0)
    }
}

/// A second, independent OTLP client: the OpenTelemetry SDK for Python, in the tests' own
/// environment, over each of its exporters (gRPC is its default), with and without gzip; its
/// spans and its log records (through Python's `logging` and the Logs API) in one file.
@Suite struct PythonSDKInteropTests {
    @Test(arguments: [("grpc", "none"), ("grpc", "gzip"), ("http/protobuf", "gzip"), ("http/protobuf", "none")])
    func collectStoresWhatThePythonSDKSends(protocol exporter: String, compression: String) throws {
        let sdkPython = try TestPython.interpreter()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "python.db"], in: directory)
        let banner = collector.waitForStderr(containing: "Ctrl-C to stop")
        let httpPort = try #require(listeningPort(in: banner))
        let grpcPort = try #require(grpcListeningPort(in: banner))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/python_app.py").standardized
        var environment = [
            "OTEL_EXPORTER_OTLP_PROTOCOL": exporter,
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(exporter == "grpc" ? grpcPort : httpPort)",
        ]
        // The SDK's gRPC exporter refuses "none" (its HTTP one takes it): leave the variable unset.
        if compression != "none" { environment["OTEL_EXPORTER_OTLP_COMPRESSION"] = compression }
        let python = try runPython([script.path], environment: environment, interpreter: sdkPython)
        #expect(python.status == 0, "share/examples/python_app.py failed: \(python.stderr)")
        let printed = python.stdout
        let stopped = collector.stop(with: SIGINT)
        #expect(stopped.status == 0)
        // One span export and one log export: the SDK's batch processors flush at shutdown.
        #expect(stopped.stderr.contains("requests 2 accepted; spans 3 stored; log records 4 stored"), "\(stopped.stderr)")

        let traceID = try #require(TraceID(hex: printed.trimmingCharacters(in: .whitespacesAndNewlines)))
        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("python.db").path)
        let trace = try #require(try store.trace(traceID))
        #expect(trace.spans.map(\.name).sorted() == ["POST /checkout", "SELECT cart", "charge card"])
        let root = try #require(trace.roots.first)
        #expect(trace.roots.count == 1)
        #expect(root.serviceName == "python-shop")
        #expect(root.resource.attributes["deployment.environment"] == .string("demo"))
        #expect(root.resource.attributes["telemetry.sdk.language"] == .string("python"))
        #expect(root.scope.name == "shop.checkout" && root.scope.version == "2.1.0")
        #expect(root.kind == .server)
        #expect(root.attributes["http.response.status_code"] == .int(200))
        #expect(root.attributes["cart.total"] == .double(42.5))
        #expect(root.attributes["cart.express"] == .bool(true))
        #expect(root.attributes["cart.skus"] == .array([.string("sku-1"), .string("sku-2")]))
        #expect(root.attributes["cart.quantities"] == .array([.int(1), .int(3)]))
        #expect(root.events.map(\.name) == ["cart loaded"])
        #expect(root.events.first?.attributes["cart.items"] == .int(2))
        let charge = try #require(trace.spans.first { $0.name == "charge card" })
        #expect(charge.parentSpanID == root.spanID)
        #expect(charge.status == SpanStatus(code: .error, message: "card declined"))
        #expect(charge.links.map(\.spanID) == [root.spanID])
        #expect(charge.links.first?.attributes["link.reason"] == .string("retry of checkout"))

        // The log records, every field as sent.
        let logs = try store.logRecords(inTrace: traceID)
        #expect(logs.map(\.bodyText) == ["checkout started", "payment declined: card expired", #"{order: "o-17", flagged: true}"#])
        let started = try #require(logs.first)
        #expect(started.spanID == root.spanID && started.severityNumber == 9 && started.severityText == "INFO")
        #expect(started.attributes["cart.id"] == .string("c-981") && started.attributes["cart.items"] == .int(2))
        #expect(started.flags & 1 == 1, "sampled, from the span's context")
        #expect(started.resource.attributes["deployment.environment"] == .string("demo"))
        #expect(started.scope.name == "shop")
        #expect(started.timeUnixNano > 0 && started.observedTimeUnixNano > 0)
        #expect(logs[1].spanID == charge.spanID && logs[1].severity == .error && logs[1].attributes["payment.provider"] == .string("acme"))
        #expect(logs[2].body == .keyValueList([Attribute("order", .string("o-17")), Attribute("flagged", .bool(true))]))
        #expect(logs[2].eventName == "audit.flag" && logs[2].scope.name == "shop.audit" && logs[2].severityText == "WARN")
        let untraced = try store.logRecords(matching: LogQuery(words: ["inventory"])).map(\.record)
        #expect(untraced.count == 1 && untraced.first?.traceID == nil && untraced.first?.spanID == nil && untraced.first?.severity == .warn)

        // As a user reads them: `trace show` lists each under its span, `trace logs` prints them.
        let show = try TraceBinary.run(["show", String(traceID.hex.prefix(8)), "--db", "python.db", "--width", "120"], in: directory)
        #expect(show.status == 0)
        #expect(show.stdout.contains("Logs 3 (1 error)"))
        let lines = show.stdout.split(separator: "\n").map(String.init)
        let chargeRow = try #require(lines.firstIndex { $0.hasPrefix("  charge card !") })
        #expect(lines[chargeRow + 1].contains("▪ +") && lines[chargeRow + 1].hasSuffix("ERROR  payment declined: card expired"))
        let logsJSON = try TraceBinary.run(["logs", "--db", "python.db", "--severity", "WARN", "--json"], in: directory)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(logsJSON.stdout.utf8)) as? [[String: Any]])
        #expect(objects.count == 3)
        #expect(objects.allSatisfy { Set($0.keys) == ["time", "severity", "severityNumber", "body", "service", "traceId", "spanId", "attributes"] })
        let declined = try #require(objects.first { $0["severity"] as? String == "ERROR" })
        #expect(declined["body"] as? String == "payment declined: card expired")
        #expect(declined["traceId"] as? String == traceID.hex && declined["spanId"] as? String == charge.spanID.hex)
        #expect(declined["service"] as? String == "python-shop" && declined["severityNumber"] as? Int == 17)
        #expect((declined["attributes"] as? [String: Any])?["payment.provider"] as? String == "acme")
        #expect((declined["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$"#, options: .regularExpression) != nil)
        let audit = try #require(objects.first { $0["body"] is [String: Any] })
        #expect((audit["body"] as? [String: Any])?["flagged"] as? Bool == true)
        let grep = try TraceBinary.run(["logs", "--db", "python.db", "--grep", "Declined"], in: directory)
        #expect(grep.stdout.split(separator: "\n").count == 1 && grep.stdout.contains("ERROR  python-shop  payment declined") && grep.stdout.contains(String(traceID.hex.prefix(8))))
    }
}

extension PythonSDKInteropTests {
    /// An app with no OpenTelemetry code of its own, run as users run one: under
    /// `opentelemetry-instrument`, with the SDK's defaults (OTLP/gRPC) and the logging instrumentation.
    @Test func anAutoInstrumentedAppsSpansAndLogLinesShowInOneTrace() throws {
        let sdkPython = try TestPython.interpreter()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "auto.db"], in: directory)
        let grpcPort = try #require(grpcListeningPort(in: collector.waitForStderr(containing: "Ctrl-C to stop")))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/python_auto_app.py").standardized
        let instrument = sdkPython.deletingLastPathComponent().appendingPathComponent("opentelemetry-instrument")
        // Every exporter at its default (traces, metrics and logs over OTLP/gRPC): none of them may fail.
        let python = try runPython([instrument.path, sdkPython.path, script.path], environment: [
            "OTEL_SERVICE_NAME": "inventory", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(grpcPort)",
        ], interpreter: sdkPython)
        #expect(python.status == 0, "\(python.stderr)")
        #expect(!python.stderr.contains("Failed to export"), "\(python.stderr)")
        let stopped = collector.stop(with: SIGINT)
        #expect(stopped.stderr.contains("spans 2 stored; log records 2 stored"), "\(stopped.stderr)")
        let traceID = python.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let show = try TraceBinary.run(["show", traceID, "--db", "auto.db", "--width", "100"], in: directory)
        #expect(show.status == 0)
        let lines = show.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("Logs 2 (1 error)") })
        let reserve = try #require(lines.firstIndex { $0.hasPrefix("reserve stock") })
        #expect(lines[reserve + 1].hasSuffix("WARN   stock low for sku-7"))
        let select = try #require(lines.firstIndex { $0.hasPrefix("  SELECT stock") })
        #expect(lines[select + 1].hasSuffix("ERROR  reservation failed: lock timeout"))
    }
}

@Suite struct ServeTests {
    @Test func servedRequestsAreTracedAndContinueTheCallersTrace() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try RunningProcess(["serve", "--port", "0", "--db", "served.db"], in: directory)
        let port = try #require(listeningPort(in: server.waitForStderr(containing: "Ctrl-C to stop")))
        let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let callerSpan = "00f067aa0ba902b7"
        let answers = try runPython(["-c", """
            import sys, urllib.request
            plain = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/").read().decode()
            req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/", headers={"traceparent": sys.argv[2]})
            continued = urllib.request.urlopen(req).read().decode()
            print(plain.strip()); print(continued.strip())
            """, String(port), "00-\(callerTrace)-\(callerSpan)-01"]).stdout
        #expect(answers == "frontend: backend answered 200 OK\nfrontend: backend answered 200 OK\n")
        let stopped = server.stop(with: SIGINT)
        #expect(stopped.status == 0)

        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("served.db").path)
        #expect(try store.totals().traces == 2)
        let continued = try #require(try store.trace(TraceID(hex: callerTrace)!))
        let incoming = try #require(continued.spans.first { $0.name == "incoming call" })
        #expect(incoming.parentSpanID == SpanID(hex: callerSpan))
        #expect(Set(continued.services) == ["frontend", "backend"])
    }

    /// W3C Trace Context level 1, as a receiver: a tracestate that does not parse never costs a
    /// valid traceparent; a newer version is read as 00; a list over 32 members is not passed on.
    @Test func traceContextFollowsTheW3CRulesForAReceiver() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try RunningProcess(["serve", "--port", "0", "--db", "w3c.db"], in: directory)
        let port = try #require(listeningPort(in: server.waitForStderr(containing: "Ctrl-C to stop")))
        let span = "00f067aa0ba902b7"
        func trace(_ n: Int) -> String { String(format: "4bf92f3577b34da6a3ce929d0e0e47%02x", n) }
        let thirtyThree = (1...33).map { "k\($0)=v" }.joined(separator: ",")
        // (traceparent, tracestate as Python bytes)
        let cases: [(String, String)] = [
            ("00-\(trace(1))-\(span)-01", "b'Vendor=1'"),
            ("00-\(trace(2))-\(span)-01", "b'big=' + b'x' * 8192"),
            ("00-\(trace(3))-\(span)-01", "b'bad=\\xff\\xfe'"),
            ("cc-\(trace(4))-\(span)-01-what-the-future-holds", "None"),
            ("00-\(trace(5))-\(span)-01", "b'\(thirtyThree)'"),
            ("00-\(trace(6))-\(span)-01", "b'a=1, b@tenant=2'"),
            ("ff-\(trace(7))-\(span)-01", "None"),
        ]
        let script = """
            import http.client, sys
            for parent, state in [\(cases.map { "(\"\($0.0)\", \($0.1))" }.joined(separator: ", "))]:
                conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
                conn.putrequest("GET", "/")
                conn.putheader("traceparent", parent)
                if state is not None:
                    conn.putheader("tracestate", state)
                conn.endheaders()
                print(conn.getresponse().status)
                conn.close()
            """
        let answers = try runPython(["-c", script, String(port)])
        #expect(answers.stdout == String(repeating: "200\n", count: cases.count), "\(answers.stderr)")
        #expect(server.stop(with: SIGINT).status == 0)

        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("w3c.db").path)
        func incoming(_ n: Int) throws -> Span? {
            try store.trace(TraceID(hex: trace(n))!)?.spans.first { $0.name == "incoming call" }
        }
        for n in 1...6 {
            let continued = try #require(try incoming(n), "trace \(n) was not continued")
            #expect(continued.parentSpanID == SpanID(hex: span), "trace \(n)")
        }
        #expect(try incoming(1)?.traceState == "")
        #expect(try incoming(2)?.traceState == "")
        #expect(try incoming(3)?.traceState == "")
        #expect(try incoming(5)?.traceState == "")
        let sixth = try incoming(6)
        #expect(sixth?.traceState.replacingOccurrences(of: " ", with: "") == "a=1,b@tenant=2")
        #expect(try incoming(7) == nil, "version ff is invalid: the trace starts anew")
        #expect(try store.totals().traces == 7)
    }
}

/// `trace collect` killed with SIGKILL at random moments, from the first milliseconds (creating
/// its file) to the middle of a stream of requests: every acknowledged span is in the file, and
/// whatever file is left is recognised and usable by every command, `collect` included.
@Suite struct CrashSafetyTests {
    @Test func killedAtRandomMomentsCollectLosesNothingItAcknowledged() throws {
        var random = SeededRandom(seed: 99)
        for round in 0..<32 {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("crash.db").path
            let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "crash.db"], in: directory)
            var acknowledged: [String] = []
            if round < 24 {
                // Creation: the kill lands somewhere in the first 60 ms (the delay is the test's input, not a wait).
                usleep(UInt32.random(in: 0..<60_000, using: &random))
                kill(collector.process.processIdentifier, SIGKILL)
            } else {
                let port = try #require(listeningPort(in: collector.waitForStderr(containing: "/v1/traces")))
                // Requests one after another; each trace id is printed once its 200 has arrived.
                // The kill comes after a random number of them.
                let poster = try RunningProcess.python(["-c", Self.poster, String(port)])
                poster.waitForStdoutLines(Int.random(in: 1...40, using: &random))
                kill(collector.process.processIdentifier, SIGKILL)
                acknowledged = poster.finish().stdout.split(separator: "\n").map(String.init)
                #expect(!acknowledged.isEmpty, "round \(round)")
            }
            _ = collector.finish()
            // The file, if one was left, is recognised; every acknowledged trace is in it.
            if FileManager.default.fileExists(atPath: path) {
                let listed = try TraceBinary.run(["list", "--limit", "1000", "--db", "crash.db"], in: directory)
                #expect(listed.status == 0, "round \(round): \(listed.stderr)")
                for id in acknowledged { #expect(listed.stdout.contains(String(id.prefix(12))), "round \(round): trace \(id) was acknowledged but not stored") }
            }
            // And collect goes on with it.
            let again = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "crash.db"], in: directory)
            let port = try #require(listeningPort(in: again.waitForStderr(containing: "/v1/traces")), "round \(round)")
            let posted = try runPython(["-c", Self.poster, String(port), "1"])
            #expect(posted.status == 0, "round \(round): \(posted.stderr)")
            #expect(again.stop(with: SIGINT).status == 0, "round \(round)")
        }
    }

    @Test func aFileLeftMidWriteIsRepairedByAReadingCommand() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TraceBinary.run(["import", "-", "--db", "hot.db"], in: directory,
                                    stdin: try Data(contentsOf: Self.fixture("v1-export.jsonl"))).status == 0)
        // A writer dies inside a transaction that has already spilled pages: the rollback journal
        // is hot, and only a connection that may write can roll it back.
        let died = try runPython(["-c", """
            import os, sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("PRAGMA journal_mode = DELETE"); db.execute("PRAGMA cache_size = 1")
            db.execute("BEGIN"); db.execute("CREATE TABLE filler (x)")
            for n in range(2000): db.execute("INSERT INTO filler VALUES (?)", (os.urandom(500),))
            os._exit(0)
            """, directory.appendingPathComponent("hot.db").path])
        #expect(died.status == 0, "\(died.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("hot.db-journal").path))
        let listed = try TraceBinary.run(["list", "--db", "hot.db"], in: directory)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("0af7651916cd43dd8448eb211c80319c"))
        #expect(try sqlite(directory.appendingPathComponent("hot.db").path, "SELECT count(*) FROM sqlite_master WHERE name = 'filler'") == "0")
    }

    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    /// Posts single-span OTLP/JSON requests (as many as argv[2], else until refused) and prints each acknowledged trace id.
    static let poster = """
        import json, os, sys, urllib.request
        port, count = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10**9
        for n in range(count):
            trace = os.urandom(16).hex()
            body = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "crash"}}]},
                "scopeSpans": [{"spans": [{"traceId": trace, "spanId": os.urandom(8).hex(), "name": "op",
                "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000000001000"}]}]}]}
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/traces", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status != 200: sys.exit(1)
            except Exception:
                sys.exit(0 if count == 10**9 else 1)
            print(trace, flush=True)
        """
}

@Suite struct RunOverGRPCTests {
    /// The demo's own exporters (swift-otel) over OTLP/gRPC into the embedded gRPC receiver, or
    /// over OTLP/HTTP with either encoding: the same traces as the builtin tracer stores.
    @Test(arguments: ["grpc", "http/json", "http/protobuf"])
    func runStoresEveryTraceWhateverTheDemoExportsOver(_ otlpProtocol: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(
            ["run", "--requests", "40", "--concurrency", "4", "--tracer", "swift-otel", "--otlp-protocol", otlpProtocol, "--db", "grpc.db"],
            in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("swift-otel exporting to the OTLP receiver :"), "\(run.stderr)")
        #expect(run.stderr.contains("(\(otlpProtocol)); sending 40 requests"), "\(run.stderr)")
        #expect(run.stdout.contains("stored       40 traces, "))
        let path = directory.appendingPathComponent("grpc.db").path
        #expect(try sqlite(path, "SELECT count(*) FROM trace WHERE root_name = 'incoming call'") == "40")
        #expect(try sqlite(path, "SELECT group_concat(name, ',') FROM (SELECT DISTINCT service_name AS name FROM resource ORDER BY 1)") == "backend,frontend")
    }
}
