import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// `trace exec` with real programs: the Python SDK's example app over its default gRPC and over
/// HTTP (one port answers both), programs that fail, die of a signal or export nothing, and
/// signals sent to `trace` reaching the program.
@Suite struct ExecCommandTests {
    static let pythonApp = TestPython.packageRoot.appendingPathComponent("share/examples/python_app.py").path

    func runs(in directory: URL) throws -> [RecordedRun] {
        try TraceStore.openForReading(path: directory.appendingPathComponent("traces.db").path).runs()
    }

    @Test(arguments: ["grpc", "http/protobuf"])
    func thePythonSDKsTelemetryArrivesOverEitherTransportOnTheOnePort(transport: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let python = try TestPython.interpreter().path
        let result = try TraceBinary.run(["exec", "--label", "app", "--", python, Self.pythonApp], in: directory,
                                         environment: transport == "grpc" ? [:] : ["OTEL_EXPORTER_OTLP_PROTOCOL": transport])
        #expect(result.status == 0, "\(result.stderr)")
        let traceID = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(traceID.count == 32, "the app's own stdout passes through: \(result.stdout)")
        #expect(result.stderr.hasPrefix("trace exec: exited 0 after "), "\(result.stderr)")
        #expect(result.stderr.contains("  traces       1 (3 spans), 1 with errors in traces.db"), "\(result.stderr)")
        #expect(result.stderr.contains("  logs         4 records, 3 at WARN or above (trace logs --run last --severity warn)"))
        #expect(result.stderr.contains("Slowest trace \(traceID) ("))
        let shown = try TraceBinary.run(["show", traceID], in: directory)
        #expect(shown.status == 0 && shown.stdout.contains("POST /checkout"))
        let run = try #require(try runs(in: directory).last)
        #expect(run.kind == .exec && run.label == "app" && run.exitCode == 0)
        #expect(run.totals == RecordedRun.Totals(traces: 1, spans: 3, errorTraces: 1, logRecords: 4, metricPoints: 0))
        #expect(run.commandLine == "trace exec --label app -- \(python) \(Self.pythonApp)")
    }

    @Test func metricsArriveThroughExecAsThroughCollect() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = TestPython.packageRoot.appendingPathComponent("share/examples/python_metrics.py").path
        let result = try TraceBinary.run(["exec", "--", try TestPython.interpreter().path, example], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("  traces       none; what arrived is in traces.db"), "\(result.stderr)")
        #expect(result.stderr.contains("  metrics      6 points (trace metrics)"), "\(result.stderr)")
        let table = try TraceBinary.run(["metrics"], in: directory)
        #expect(table.stdout.split(separator: "\n").count == 6, "a header and the example's five metrics: \(table.stdout)")
    }

    @Test func theProgramsExitCodeIsTracesAndTheRunRecordsIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let failed = try TraceBinary.run(["exec", "--", "sh", "-c", "echo working; exit 3"], in: directory)
        #expect(failed.status == 3)
        #expect(failed.stdout == "working\n")
        #expect(failed.stderr.hasPrefix("trace exec: exited 3 after "))
        let killed = try TraceBinary.run(["exec", "--", "sh", "-c", "kill -TERM $$"], in: directory)
        #expect(killed.status == 128 + SIGTERM)
        #expect(killed.stderr.hasPrefix("trace exec: was killed by signal 15 (SIGTERM) after "))
        #expect(try runs(in: directory).map(\.exitCode) == [3, 143])
    }

    @Test func stdinAndStdoutAreTheProgramsOwn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try TraceBinary.run(["exec", "--quiet", "--", "tr", "a-z", "A-Z"], in: directory, stdin: Data("piped through\n".utf8))
        #expect(result.status == 0)
        #expect(result.stdout == "PIPED THROUGH\n")
    }

    @Test func aProgramThatExportsNothingIsToldWhatWasSet() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // What the program sees: the shared endpoint, and the user's own setting left alone.
        let result = try TraceBinary.run(["exec", "--", "sh", "-c", "echo $OTEL_EXPORTER_OTLP_ENDPOINT $OTEL_TRACES_EXPORTER $OTEL_LOGS_EXPORTER"],
                                         in: directory, environment: ["OTEL_TRACES_EXPORTER": "console"])
        #expect(result.status == 0)
        let seen = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(seen.count == 3 && seen[0].hasPrefix("http://127.0.0.1:") && seen[1] == "console" && seen[2] == "otlp", "\(result.stdout)")
        #expect(result.stderr.contains("  no telemetry arrived at \(seen[0])"))
        #expect(result.stderr.contains("  set for the program: OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_INSECURE, OTEL_METRICS_EXPORTER"))
        #expect(result.stderr.contains("  kept as you had set them: OTEL_TRACES_EXPORTER"))
        // --quiet still says when nothing arrived.
        let quiet = try TraceBinary.run(["exec", "--quiet", "--", "true"], in: directory)
        #expect(quiet.status == 0 && quiet.stderr.contains("no telemetry arrived"))
    }

    @Test func aProgramThatCannotStartIsOneLineAndAShellsExitCode() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try TraceBinary.run(["exec", "--", "no-such-program-here"], in: directory)
        #expect(missing.status == 127)
        #expect(missing.stderr == "trace: error: no-such-program-here: command not found\n")
        let script = directory.appendingPathComponent("not-executable.sh")
        try Data("echo never\n".utf8).write(to: script)
        let notRunnable = try TraceBinary.run(["exec", "--", script.path], in: directory)
        #expect(notRunnable.status == 126)
        #expect(notRunnable.stderr == "trace: error: \(script.path): Permission denied\n")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("traces.db").path), "a program that never ran leaves no file")
        let help = try TraceBinary.run(["exec", "--help"], in: directory)
        #expect(help.status == 0 && help.stdout.contains("USAGE: trace exec") && help.stdout.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "\(help.stderr)")
        let none = try TraceBinary.run(["exec"], in: directory)
        #expect(none.status == 64 && none.stderr.contains("give the program to run after --"))
    }

    @Test func aSignalSentToTracePassesToTheProgram() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The program says when it is ready, then waits to be told to stop: it exits 7 on SIGTERM.
        let exec = try RunningProcess(["exec", "--", "sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done"], in: directory)
        exec.waitForStdoutLines(1)
        let ended = exec.stop(with: SIGTERM)
        #expect(ended.status == 7, "\(ended.stderr)")
        #expect(ended.stderr.hasPrefix("trace exec: exited 7 after "))
    }

    @Test func ctrlCAtTheTerminalReachesTheProgramWhichDecides() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The program catches the interrupt and exits 5 after saying so; trace stays to report it.
        let program = "trap 'echo caught-INT; exit 5' INT; echo ready; while :; do sleep 0.05; done"
        let command = "cd '\(directory.path)' && NO_COLOR=1 '\(TraceBinary.url.path)' exec -- sh -c \"\(program)\"; echo EXEC-EXIT:$?; exec cat"
        let tmux = try TmuxSession(command: command, width: 120, height: 20)
        _ = try tmux.waitFor("ready")
        try tmux.send("C-c")
        let screen = try tmux.waitFor("EXEC-EXIT:5")
        #expect(screen.contains("caught-INT"))
        #expect(screen.contains("trace exec: exited 5 after "), "\(screen)")
        #expect(try runs(in: directory).map(\.exitCode) == [5])
    }

    @Test func programsThatStartOthersHaveAllTheirTelemetryKept() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let python = try TestPython.interpreter().path
        // Two workers exporting side by side, as a pre-forking server's would, over both transports.
        let script = "'\(python)' '\(Self.pythonApp)' & OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf '\(python)' '\(Self.pythonApp)' & wait"
        let result = try TraceBinary.run(["exec", "--", "sh", "-c", script], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let printed = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(printed.count == 2)
        #expect(result.stderr.contains("  traces       2 (6 spans), 2 with errors in traces.db"), "\(result.stderr)")
        for traceID in printed { #expect(try TraceBinary.run(["show", traceID], in: directory).status == 0) }
    }
}
