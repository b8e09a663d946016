import Foundation
import TraceIngest
import TraceViews

/// Facts about where output goes, so colour and progress appear only for a person at a terminal.
enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Colour only on a terminal, never with NO_COLOR set (any value) or TERM=dumb.
    static var style: TextStyle {
        let environment = ProcessInfo.processInfo.environment
        let colors = stdoutIsTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        return TextStyle(colors: colors)
    }

    /// The same, for text written to stderr.
    static var errorStyle: TextStyle {
        let environment = ProcessInfo.processInfo.environment
        return TextStyle(colors: stderrIsTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb")
    }

    /// Columns of the terminal, else $COLUMNS, else 120.
    static var width: Int {
        var size = winsize()
        if stdoutIsTerminal, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 120
    }

    static func printError(_ message: String) {
        printLine(label: "error", message)
    }

    /// `trace: LABEL: message`, escaped, on one line of stderr.
    static func printLine(label: String, _ message: String) {
        FileHandle.standardError.write(Data("trace: \(label): \(TerminalText.escaped(message))\n".utf8))
    }

    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// The one line when the store stops taking rows, and the one when it takes them again.
    static func printStorageEvent(_ event: StorageEvent) {
        switch event {
        case .unavailable(let reason):
            printLine(label: "warning", "cannot store: \(reason); answering HTTP 503 and gRPC UNAVAILABLE (senders retry) until it can, nothing stored is lost")
        case .recovered(let turnedAway):
            printLine(label: "note", "storing again; \(turnedAway) \(turnedAway == 1 ? "request was" : "requests were") turned away meanwhile")
        }
    }
}
