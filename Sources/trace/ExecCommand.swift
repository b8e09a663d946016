import ArgumentParser
import Foundation
import TraceExec
import TraceIngest
import TraceModel
import TraceViews

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a program and record the traces, logs and metrics it exports.",
        discussion: """
            Starts OTLP receivers on one free loopback port that answers gRPC and HTTP alike, runs \
            COMMAND with the OpenTelemetry SDK pointed at it, waits for it, keeps receiving until its \
            exporters' last flush has arrived (at most --grace), then says what arrived, where the \
            time went and the slowest trace, on stderr. Exits with COMMAND's exit code (128+N when \
            signal N ended it; 127 when it cannot be found, 126 when it cannot be run).

            The program's stdin, stdout and stderr are the terminal's; Ctrl-C reaches it (it decides \
            whether to stop), and signals sent to trace are passed on to it. The session is recorded \
            as a run (trace runs; --run last on list, stats, logs and the rest).

            Sets, unless already set: \(ExecEnvironment.names.joined(separator: ", ")) (the \
            endpoint is the shared port).

              trace exec -- python3 app.py
              trace exec --label after-fix -- opentelemetry-instrument python3 app.py
            """)

    @OptionGroup var label: RunLabelOption

    @Flag(help: "Print nothing of trace's own unless something went wrong.")
    var quiet = false

    @Option(help: ArgumentHelp("How long to keep receiving after the program ends, at most (ends sooner once its exporters are done).", valueName: "duration"))
    var grace = DurationArgument(nanos: 3_000_000_000)

    @OptionGroup var database: DatabaseOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        // The program's arguments are captured as they are, so trace's own help has to be asked for here.
        if let first = command.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        guard !program.isEmpty else { throw ValidationError("give the program to run after --, e.g. trace exec -- python3 app.py") }
        guard grace.nanos <= 600_000_000_000 else { throw ValidationError("--grace must be at most 10m") }
    }

    /// The command without the `--` that separates it from trace's own options.
    var program: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() async throws {
        let session = ExecSession(command: program, environment: ProcessInfo.processInfo.environment,
                                  grace: grace.duration)
        let (report, code) = try await database.withStoreForWriting { store in
            let statistics = IngestStatistics()
            let ingestor = Ingestor(store: store, statistics: statistics, onStorage: Terminal.printStorageEvent)
            var runID: Int64?
            let outcome = try await RunRecording.around(.exec, label: label.label, in: store, exitCode: { $0.termination.exitCode }) { recording in
                runID = recording.run.id
                do {
                    return try await session.run(ingestor: ingestor, logger: .quiet)
                } catch let error as ChildProcess.CannotStart {
                    throw UserFacingError(error.description, exitCode: error.exitCode)
                }
            }
            // This session's run, by id: another session may have begun one in the same file meanwhile.
            guard let runID, let run = try store.run(.id(runID)) else { return (nil as ExecReport?, outcome.termination.exitCode) }
            let report = try await ExecReport.make(commandLine: RunRecording.commandLine, outcome: outcome, run: run, store: store,
                                                   statistics: statistics.snapshot)
            return (report, outcome.termination.exitCode)
        }
        if let report, !quiet || report.nothingArrived || report.requestsRejected > 0 {
            FileHandle.standardError.write(Data(report.text(style: Terminal.errorStyle).utf8))
        }
        throw ExitCode(code)
    }
}
