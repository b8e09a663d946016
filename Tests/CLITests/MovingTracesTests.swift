import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// `trace export`, `trace import` and `trace prune` on databases recorded by `trace run`.
@Suite struct MovingTracesTests {
    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// Every stored fact of every span, with its resource and scope, as sqlite3 prints it.
    func dump(_ path: String) throws -> String {
        try sqlite(path, """
            SELECT s.trace_id, s.span_id, s.parent_span_id, s.trace_state, s.flags, s.name, s.kind, s.start_ns, s.end_ns,
                   s.status_code, s.status_message, s.attributes, s.dropped_attributes_count, s.events, s.dropped_events_count,
                   s.links, s.dropped_links_count, r.attributes, r.schema_url, c.name, c.version, c.attributes
            FROM span s JOIN resource r ON r.id = s.resource_id JOIN scope c ON c.id = s.scope_id ORDER BY s.trace_id, s.span_id
            """)
    }

    func recordedRun(in directory: URL, requests: Int = 30) throws -> String {
        let run = try TraceBinary.run(["run", "--requests", String(requests), "--concurrency", "3", "--error-rate", "0.2", "--new-connections", "--db", "source.db"], in: directory)
        #expect(run.status == 0)
        return directory.appendingPathComponent("source.db").path
    }

    /// Every stored fact of every log record, as sqlite3 prints it (arrival order aside).
    func logDump(_ path: String) throws -> String {
        try sqlite(path, """
            SELECT l.time_ns, l.sent_time_ns, l.observed_ns, l.severity_number, l.severity_text, l.body, l.service_name, l.trace_id, l.span_id,
                   l.attributes, l.flags, l.event_name, r.attributes, c.name
            FROM log l JOIN resource r ON r.id = l.resource_id JOIN scope c ON c.id = l.scope_id ORDER BY 1, 6, 8, 9
            """)
    }

    @Test func logRecordsTravelWithTheirTracesThroughExportAndImport() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Three failed requests and nine good ones, in two runs so the mix does not depend on chance.
        for (requests, errorRate) in [("3", "1"), ("9", "0")] {
            #expect(try TraceBinary.run(["run", "--requests", requests, "--concurrency", "3", "--error-rate", errorRate, "--db", "source.db"], in: directory).status == 0)
        }
        let source = directory.appendingPathComponent("source.db").path
        // A record of no trace rides along when the whole file is exported.
        try TraceStore.openForWriting(path: source).insert([LogRecord(timeUnixNano: 5, severityNumber: 13, body: .string("disk nearly full"), resource: frontendResource)])
        let records = Int(try sqlite(source, "SELECT count(*) FROM logs")) ?? 0
        #expect(records == 12 * 3 + Int(try sqlite(source, "SELECT count(*) FROM trace WHERE error_count > 0"))! + 1)
        let exported = try TraceBinary.run(["export", "--db", "source.db", "--output", "all.jsonl"], in: directory)
        #expect(exported.stderr.contains("(\(try sqlite(source, "SELECT count(*) FROM span")) spans, \(records) log records)"))
        let file = try String(contentsOf: directory.appendingPathComponent("all.jsonl"), encoding: .utf8)
        #expect(lines(file).filter { $0.hasPrefix(#"{"resourceLogs""#) }.count == 12 + 1, "a logs line after each trace's, and one of no trace")
        let imported = try TraceBinary.run(["import", "all.jsonl", "--db", "copy.db"], in: directory)
        #expect(imported.status == 0 && imported.stdout.contains("; \(records) log records"))
        let copy = directory.appendingPathComponent("copy.db").path
        #expect(try logDump(copy) == logDump(source))
        #expect(try TraceBinary.run(["import", "all.jsonl", "--db", "copy.db"], in: directory).stdout.contains("0 log records (\(records) already stored)"))
        // A filtered export carries its traces' records only: each failed request's four.
        let failed = Int(try sqlite(source, "SELECT count(*) FROM trace WHERE error_count > 0"))!
        #expect(failed == 3)
        #expect(try TraceBinary.run(["export", "--db", "source.db", "--errors", "--output", "errors.jsonl"], in: directory).stderr
            .contains("(\(try sqlite(source, "SELECT sum(span_count) FROM trace WHERE error_count > 0")) spans, \(failed * 4) log records)"))
        let errorsFile = try String(contentsOf: directory.appendingPathComponent("errors.jsonl"), encoding: .utf8)
        #expect(!errorsFile.contains("disk nearly full"))
    }

    @Test(arguments: ["http/protobuf", "http/json"])
    func exportToASecondCollectRoundTripsEverySpanExactly(_ encoding: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try recordedRun(in: directory)
        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "copy.db"], in: directory)
        let port = try #require(listeningPort(in: collector.waitForStderr(containing: "/v1/traces")))
        let exported = try TraceBinary.run(["export", "--db", "source.db", "--otlp-endpoint", "http://127.0.0.1:\(port)", "--batch-size", "50",
                                            "--otlp-protocol", encoding], in: directory)
        #expect(exported.status == 0)
        let spans = try sqlite(source, "SELECT count(*) FROM span")
        // Whole traces, newest first, fill each request up to 50 spans.
        var requests = 0, inRequest = 0
        for count in try sqlite(source, "SELECT span_count FROM trace ORDER BY start_ns DESC, trace_id").split(separator: "\n").compactMap({ Int($0) }) {
            if inRequest == 0 || inRequest + count > 50 { requests += 1; inRequest = 0 }
            inRequest += count
        }
        #expect(requests > 1)
        #expect(exported.stdout == "exported 30 traces (\(spans) spans) to http://127.0.0.1:\(port)/v1/traces in \(requests) requests\n")
        #expect(collector.stop(with: SIGTERM).status == 0)
        let copy = directory.appendingPathComponent("copy.db").path
        #expect(try dump(copy) == (try dump(source)))
        #expect(try sqlite(copy, "SELECT count(*) FROM trace") == "30")
    }

    /// With neither --otlp-endpoint nor --output, export goes where the SDKs' variables say.
    @Test func exportOverGRPCToASecondCollectRoundTripsEverySpanExactly() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try recordedRun(in: directory)
        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "off", "--db", "copy.db"], in: directory)
        let port = try #require(grpcListeningPort(in: collector.waitForStderr(containing: "Ctrl-C to stop")))
        let exported = try TraceBinary.run(["export", "--db", "source.db", "--batch-size", "50"], in: directory,
                                           environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.hasPrefix("exported 30 traces ("))
        #expect(exported.stdout.contains("to http://127.0.0.1:\(port) in "))
        #expect(collector.stop(with: SIGTERM).status == 0)
        let copy = directory.appendingPathComponent("copy.db").path
        #expect(try dump(copy) == (try dump(source)))
        let wrong = try TraceBinary.run(["export", "--db", "source.db", "--otlp-endpoint", "http://127.0.0.1:1", "--otlp-protocol", "http/2"], in: directory)
        #expect(wrong.status == 64)
        #expect(lines(wrong.stderr).first == "trace: error: --otlp-protocol must be one of grpc, http/protobuf, http/json, got 'http/2' (see `trace export --help`)")
        let wrongVariable = try TraceBinary.run(["export", "--db", "source.db"], in: directory,
                                                environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "thrift", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"])
        #expect(wrongVariable.status == 64)
        #expect(lines(wrongVariable.stderr).first == "trace: error: OTEL_EXPORTER_OTLP_PROTOCOL must be one of grpc, http/protobuf, http/json, got 'thrift' (see `trace export --help`)")
        let nowhere = try TraceBinary.run(["export", "--db", "source.db"], in: directory)
        #expect(nowhere.status == 64)
        #expect(lines(nowhere.stderr).first == "trace: error: give --otlp-endpoint URL (or set OTEL_EXPORTER_OTLP_ENDPOINT) to send to a collector, or --output FILE (see `trace export --help`)")
    }

    /// `collect --otlp-endpoint` forwards over gRPC to a second collect, and `run` forwards the same
    /// way: each copy holds every stored column of the original.
    @Test func collectAndRunForwardOverGRPC() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let downstream = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "off", "--db", "downstream.db"], in: directory)
        let downstreamPort = try #require(grpcListeningPort(in: downstream.waitForStderr(containing: "Ctrl-C to stop")))
        let forwarding = ["--otlp-protocol", "grpc", "--otlp-endpoint", "http://127.0.0.1:\(downstreamPort)"]
        let run = try TraceBinary.run(["run", "--requests", "20", "--concurrency", "2", "--db", "run.db"] + forwarding, in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("forwarded    "), "\(run.stdout)")

        let source = try recordedRun(in: directory)
        let local = try RunningProcess(["collect", "--grpc-port", "off", "--http-port", "0", "--db", "local.db"] + forwarding, in: directory)
        let localPort = try #require(listeningPort(in: local.waitForStderr(containing: "Ctrl-C to stop")))
        #expect(try TraceBinary.run(["export", "--db", "source.db", "--otlp-endpoint", "http://127.0.0.1:\(localPort)"], in: directory).status == 0)
        let stopped = local.stop(with: SIGTERM)
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("forwarded 1 to http://127.0.0.1:\(downstreamPort), 0 failed"), "\(stopped.stderr)")
        #expect(downstream.stop(with: SIGTERM).status == 0)
        let copy = directory.appendingPathComponent("downstream.db").path
        #expect(try sqlite(copy, "SELECT count(*) FROM trace") == "50")
        let attached = "SELECT count(*) FROM span s WHERE s.trace_id IN (SELECT trace_id FROM src.span)"
        #expect(try sqlite(copy, "ATTACH '\(source)' AS src; \(attached)") == (try sqlite(source, "SELECT count(*) FROM span")))
        #expect(try sqlite(copy, "ATTACH '\(directory.appendingPathComponent("run.db").path)' AS src; \(attached)")
            == (try sqlite(directory.appendingPathComponent("run.db").path, "SELECT count(*) FROM span")))
    }

    @Test func exportToAFileThenImportRoundTripsAndRefusesBadLinesAlone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try recordedRun(in: directory, requests: 12)
        let written = try TraceBinary.run(["export", "--db", "source.db", "--output", "traces.jsonl"], in: directory)
        #expect(written.status == 0)
        #expect(written.stderr.hasPrefix("wrote 12 traces ("))
        let text = try String(contentsOf: directory.appendingPathComponent("traces.jsonl"), encoding: .utf8)
        // Each trace's line, then one with its log records.
        #expect(lines(text).count == 24)
        #expect(lines(text).enumerated().allSatisfy { $0.element.hasPrefix($0.offset % 2 == 0 ? #"{"resourceSpans""# : #"{"resourceLogs""#) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }.isEmpty)

        let imported = try TraceBinary.run(["import", "traces.jsonl", "--db", "copy.db"], in: directory)
        #expect(imported.status == 0)
        #expect(imported.stdout.hasPrefix("imported \(try sqlite(source, "SELECT count(*) FROM span")) spans in 12 traces from 24 requests"))
        let copy = directory.appendingPathComponent("copy.db").path
        #expect(try dump(copy) == (try dump(source)))
        let again = try TraceBinary.run(["import", "-", "--db", "copy.db"], in: directory, stdin: Data(text.utf8))
        #expect(again.status == 0 && again.stdout.contains("spans were already stored"))
        #expect(try dump(copy) == (try dump(source)))

        // A file with a bad request on line 2 and a blank line: the good lines are stored, the bad one named.
        let good = lines(text).filter { $0.hasPrefix(#"{"resourceSpans""#) }
        let mixed = good[0] + "\n" + good[1].replacingOccurrences(of: "\"spanId\":\"", with: "\"spanId\":\"zz") + "\n\n" + good[2] + "\n"
        try Data(mixed.utf8).write(to: directory.appendingPathComponent("mixed.jsonl"))
        let partial = try TraceBinary.run(["import", "mixed.jsonl", "--db", "fresh.db"], in: directory)
        #expect(partial.status == 1)
        #expect(partial.stdout.hasPrefix("imported ") && partial.stdout.contains(" in 2 traces from 2 requests"))
        let errors = lines(partial.stderr)
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("trace: error: mixed.jsonl:2: ") && errors[0].contains("hex"))
        #expect(errors[1] == "trace: error: 1 request was refused (listed above); the rest were imported")
        #expect(try sqlite(directory.appendingPathComponent("fresh.db").path, "SELECT count(*) FROM trace") == "2")
    }

    @Test func importsTheCollectorsFileExporterFormat() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/collector-file-export.jsonl").standardized
        let imported = try TraceBinary.run(["import", example.path], in: directory)
        #expect(imported.status == 0)
        #expect(imported.stdout == "imported 4 spans in 1 trace from 2 requests into traces.db\n")
        let show = try TraceBinary.run(["show", "5b8e", "--verbose"], in: directory)
        #expect(lines(show.stdout).prefix(4) == [
            "Trace 5b8efff798038103d269b633813fc60c", "Start     \(lines(show.stdout)[1].dropFirst(10))", "Duration  55ms   Spans 4", "Services  checkout, payments",
        ])
        // A root's empty parentSpanId, integer kinds, string nanos and both services' resources survive.
        #expect(show.stdout.contains("  checkout → payments: client `POST payments/charge` 48ms, server `POST /charge` 38ms, network & queueing 10ms"))
        #expect(show.stdout.contains("resource {deployment.environment=staging}"))
        #expect(show.stdout.contains("◆ +525µs cart loaded {items=3}"))
    }

    @Test func importThatStoresNothingCreatesNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{\"resourceSpans\": 7}\n".utf8).write(to: directory.appendingPathComponent("bad.json"))
        for (arguments, message) in [
            (["import", "missing.jsonl"], "trace: error: cannot read missing.jsonl: no such file"),
            (["import", "."], "trace: error: cannot read .: not a readable file"),
            (["import", "bad.json"], "trace: error: nothing imported: the 1 request in it was refused"),
        ] {
            let result = try TraceBinary.run(arguments, in: directory)
            #expect(result.status == 1)
            #expect(lines(result.stderr).last == message)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["bad.json"])
    }

    @Test func pruneDeletesWholeTracesAndGivesSpaceBack() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try recordedRun(in: directory, requests: 40)
        // The writer does not have SQLite check references on each insert; every row still points at a row that exists.
        #expect(try sqlite(source, "PRAGMA foreign_key_check") == "")
        #expect(try sqlite(source, "SELECT count(*) FROM logs") != "0")
        let newest = try sqlite(source, "SELECT trace_id FROM trace ORDER BY start_ns DESC, trace_id LIMIT 10")
        let dry = try TraceBinary.run(["prune", "--keep", "10", "--dry-run", "--db", "source.db"], in: directory)
        #expect(dry.status == 0 && dry.stdout.hasPrefix("would delete 30 traces ("))
        #expect(try sqlite(source, "SELECT count(*) FROM trace") == "40")
        let pruned = try TraceBinary.run(["prune", "--keep", "10", "--db", "source.db"], in: directory)
        #expect(pruned.status == 0 && pruned.stdout.hasPrefix("deleted 30 traces ("))
        #expect(try sqlite(source, "SELECT trace_id FROM trace ORDER BY start_ns DESC, trace_id") == newest)
        // No span, service row or summary of a deleted trace is left, and every kept trace is whole.
        #expect(try sqlite(source, "SELECT count(*) FROM span WHERE trace_id NOT IN (SELECT trace_id FROM trace)") == "0")
        #expect(try sqlite(source, "SELECT count(*) FROM trace_service WHERE trace_id NOT IN (SELECT trace_id FROM trace)") == "0")
        #expect(try sqlite(source, "SELECT count(*) FROM trace t WHERE span_count != (SELECT count(*) FROM span s WHERE s.trace_id = t.trace_id)") == "0")
        #expect(try sqlite(source, "PRAGMA foreign_key_check") == "")
        let old = try TraceBinary.run(["prune", "--older-than", "1h", "--db", "source.db"], in: directory)
        #expect(old.stdout.hasPrefix("deleted 0 traces (0 spans), kept 10"))
        let all = try TraceBinary.run(["prune", "--older-than", "0", "--db", "source.db"], in: directory)
        #expect(all.stdout.hasPrefix("deleted 10 traces ("))
        #expect(try sqlite(source, "SELECT count(*) FROM span") == "0")
        #expect(try sqlite(source, "PRAGMA foreign_key_check") == "")
    }
}

/// Text a sender controls, printed by every command that prints JSON: as inert on a terminal
/// as the text views, and still the same document.
@Suite struct JSONOutputSafetyTests {
    @Test func jsonOutputEscapesC1ControlsDeleteAndBidiOverrides() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hostile = "csi\u{9B}31m del\u{7F} rlo\u{202E}txet isolate\u{2066} nul\u{0}"
        let line = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc \(hostile)"}}]},\
            "scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"\(hostile)",\
            "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000",\
            "attributes":[{"key":"k","value":{"stringValue":"\(hostile)"}}]}]}]}]}
            """.replacingOccurrences(of: "\u{0}", with: "\\u0000")
        try Data((line + "\n").utf8).write(to: directory.appendingPathComponent("hostile.jsonl"))
        #expect(try TraceBinary.run(["import", "hostile.jsonl", "--db", "h.db"], in: directory).status == 0)
        let outputs = [
            ["list", "--json", "--db", "h.db"], ["stats", "--json", "--db", "h.db"],
            ["show", "0af7", "--format", "otlp-json", "--db", "h.db"], ["export", "--output", "-", "--db", "h.db"],
        ]
        for arguments in outputs {
            let result = try TraceBinary.run(arguments, in: directory)
            #expect(result.status == 0, "\(arguments)")
            for raw in ["\u{9B}", "\u{7F}", "\u{202E}", "\u{2066}", "\u{0}"] {
                #expect(!result.stdout.unicodeScalars.contains(raw.unicodeScalars.first!), "\(arguments) printed U+\(String(raw.unicodeScalars.first!.value, radix: 16)) raw")
            }
            #expect(result.stdout.lowercased().contains("\\u009b31m"), "\(arguments)")
            // Still the same document: a JSON parser reads the original text back.
            let firstDocument = arguments[0] == "export" ? Data(result.stdout.split(separator: "\n")[0].utf8) : Data(result.stdout.utf8)
            let parsed = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: firstDocument))
            #expect(String(decoding: parsed, as: UTF8.self).contains("csi\u{9B}31m del\u{7F} rlo\u{202E}txet"), "\(arguments)")
        }
        let exported = try TraceBinary.run(["export", "--output", "-", "--db", "h.db"], in: directory).stdout.lowercased()
        #expect(exported.contains("\\u202e") && exported.contains("\\u2066") && exported.contains("\\u007f"))
    }
}
