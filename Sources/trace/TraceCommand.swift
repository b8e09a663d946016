import ArgumentParser
import Foundation
import TraceViews

@main
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Record, store and explain distributed traces, locally.",
        discussion: """
            `trace run` starts a traced frontend/backend pair, sends it requests and stores every span \
            (and its log records and metrics) in a SQLite file. `trace collect` stores OTLP traces, logs and \
            metrics (gRPC or HTTP) from any OpenTelemetry SDK, and Zipkin spans. `trace list`, `show`, `stats`, \
            `diff`, `flame` and `map` read them back and show where the time went; `trace logs` and `trace metrics` \
            what the app logged and measured; `trace tui` browses it all; `trace mcp` serves it to a coding agent. \
            `trace exec -- COMMAND` records any program; `trace runs` lists what was recorded, `trace compare` \
            says what got slower between two runs and `trace check` holds a run to rules in CI.

            The database is ./traces.db unless TRACE_DB or --db says otherwise.
            """,
        version: "0.1.0",
        groupedSubcommands: [
            CommandGroup(name: "Record", subcommands: [RunCommand.self, ExecCommand.self, ServeCommand.self, CollectCommand.self, ImportCommand.self]),
            CommandGroup(name: "Explain", subcommands: [RunsCommand.self, ListCommand.self, ShowCommand.self, LogsCommand.self, MetricsCommand.self, StatsCommand.self, DiffCommand.self, CompareCommand.self, CheckCommand.self, FlameCommand.self, MapCommand.self, TUICommand.self, MCPCommand.self]),
            CommandGroup(name: "Move and tidy", subcommands: [ExportCommand.self, PruneCommand.self]),
        ])

    /// The help that explains a usage error: the subcommand's own, when the arguments name one.
    static func helpCommand(for arguments: some Collection<String>) -> String {
        guard let first = arguments.first(where: { !$0.hasPrefix("-") }),
              configuration.subcommands.contains(where: { $0._commandName == first }) else { return "trace --help" }
        return "trace \(first) --help"
    }

    /// Errors print as one line on stderr: usage errors exit 64, failures 1, interruptions 130.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // The demo pair's and the receivers' tasks run on NIO's event loops, where their I/O is
            // (`EventLoopGlobalExecutor` says why not NIO's own takeover). It has to happen here,
            // on the main thread before any task starts; swift-otel's exporters are left out, since
            // they block on shutdown, which no event loop may do. Concrete casts: a protocol cast
            // would scan every conformance in the binary (~0.1 ms).
            let demo = (command as? RunCommand)?.demo ?? (command as? ServeCommand)?.demo
            if demo?.runsTasksOnEventLoops == true || command is CollectCommand || command is ExecCommand {
                _ = EventLoopGlobalExecutor.install()
            }
            // Where Swift tasks run, for the test that holds the hook to being engaged.
            if ProcessInfo.processInfo.environment["TRACE_REPORT_EXECUTOR"] == "1" {
                let place = await EventLoopGlobalExecutor.isEngaged() ? "NIO's event loops" : "Swift's global pool"
                Terminal.printNote("Swift tasks run on \(place) (runtime \(_SwiftStdlibVersion.current))")
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as UserFacingError {
            Terminal.printError(error.description)
            for line in error.context { Terminal.printNote(TerminalText.escaped(line)) }
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            let message = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if code == .validationFailure {
                Terminal.printError(message.replacingOccurrences(of: "\n", with: " ") + " (see `\(helpCommand(for: CommandLine.arguments.dropFirst()))`)")
            } else {
                Terminal.printError(message.isEmpty ? "\(error)" : message.replacingOccurrences(of: "\n", with: " "))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
