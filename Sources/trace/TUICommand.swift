import ArgumentParser
import Foundation
import TraceTUI

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Browse traces in a full-screen terminal UI.",
        discussion: """
            The trace list (filter with /, sort with s, errors with e), then Enter for a trace's waterfall \
            with a detail pane. Traces written by a running `trace run` or `trace collect` appear live. \
            Press ? inside for every key.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        // Errors about the database come before the screen is taken over, as with every command.
        let store = try database.openForReading()
        defer { try? store.close() }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw UserFacingError("trace tui needs a terminal; use `trace list` and `trace show` in scripts")
        }
        let environment = ProcessInfo.processInfo.environment
        do {
            try CursesTerminal.run(store: store, colors: environment["NO_COLOR"] == nil && environment["TERM"] != "dumb")
        } catch {
            throw UserFacingError.wrapping(error)
        }
    }
}
