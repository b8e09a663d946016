import Foundation
import Testing
import TraceFixtures

/// A private tmux server running the real binary: keys in with send-keys, screens out with capture-pane.
final class TmuxSession {
    let socket = "trace-test-\(UUID().uuidString.prefix(8))"
    let name = "tui"

    init(command: String, width: Int, height: Int) throws {
        // The server is started through Python, whose subprocess closes inherited descriptors: a server
        // forked straight from Foundation's Process keeps the socket Foundation watches for the
        // client's exit, and waitUntilExit would never return. The test runner's blocked signals are
        // unblocked too, or the pane's shell would ignore the SIGHUP of kill-server.
        _ = try requiredProgram("tmux")
        let script = "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); sys.exit(subprocess.call(sys.argv[1:]))"
        let started = try runPython(["-c", script,
                                     "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
                                     "-x", String(width), "-y", String(height), command])
        guard started.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(started.stderr)") }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// Runs one tmux client command against this session's server; returns its output.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-L", socket] + arguments
        return try TraceBinary.runToCompletion(process, stdin: nil).stdout
    }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }
    func sendLiteral(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]) }

    /// Waits until the screen satisfies `condition`. tmux has no "screen changed" event, so this
    /// polls the pane; it waits on what the user would see, never for a fixed time.
    func waitFor(_ description: String, within seconds: Double = 15, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(description); screen was:\n\(last)")
        return last
    }

    func waitFor(_ text: String) throws -> String { try waitFor("\"\(text)\"") { $0.contains(text) } }
}

struct TmuxError: Error {
    var message: String
}

