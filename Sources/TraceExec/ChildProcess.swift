import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The user's program, run as a shell runs it: same terminal, same process group (so Ctrl-C at the
/// terminal reaches it directly), stdin, stdout and stderr shared; signals sent to `trace` itself
/// passed on to it.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// Why a program could not be started, with the exit code a shell gives: 127 not found, 126 not runnable.
    public struct CannotStart: Error, CustomStringConvertible {
        public var command: String
        public var errno: Int32
        public var exitCode: Int32 { errno == ENOENT ? 127 : 126 }
        public var description: String {
            errno == ENOENT ? "\(command): command not found" : "\(command): \(String(cString: strerror(errno)))"
        }
    }

    /// How the program ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// As a shell reports it: the exit code, or 128 + the signal's number.
        public var exitCode: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// Starts `arguments[0]` (searched in PATH) with `environment`.
    public static func spawn(_ arguments: [String], environment: [String: String]) throws(CannotStart) -> ChildProcess {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling, whatever `trace` set up for itself.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in forwardedSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        guard status == 0 else { throw CannotStart(command: arguments[0], errno: status) }
        return ChildProcess(pid: pid)
    }

    /// Signals that reach `trace` and are meant for the program: an interrupt from the terminal
    /// has already reached it (same process group), one sent to `trace` alone is passed on.
    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    /// Waits for the program to end, on a thread of its own (waitpid blocks).
    public func wait() async -> Termination {
        await withCheckedContinuation { continuation in
            let pid = self.pid
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal))
            }
        }
    }

}

/// From its start, `trace` outlives the signals that would end it and relays the ones sent to it.
/// Installed before the program starts, so no signal falls between its start and the handler.
public final class SignalForwarding: Sendable {
    public init() {
        var action = sigaction()
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        action.__sigaction_handler.sa_sigaction = { signal, info, _ in
            // Sent by a process (kill, a supervisor) rather than made by the terminal's keys.
            guard info.map({ $0.pointee.si_code <= 0 }) ?? true else { return }
            // The program can be running (and be signalled) before `forward(to:)` names it: kept till then.
            if forwardingTarget > 0 { kill(forwardingTarget, signal) } else { pendingSignal = signal }
        }
        for signal in ChildProcess.forwardedSignals { sigaction(signal, &action, nil) }
    }

    /// Passes signals sent to `trace` on to the program; terminal-made ones (which the program
    /// received itself) are only kept from ending `trace`.
    public func forward(to child: ChildProcess) {
        forwardingTarget = child.pid
        if pendingSignal != 0 {
            kill(child.pid, pendingSignal)
            pendingSignal = 0
        }
    }

    /// Once the program has ended: nothing more is passed on, and an interrupt no longer ends
    /// `trace` before it has stored what arrived and said so.
    public func stop() {
        forwardingTarget = 0
    }
}

/// Read by the signal handler, which can capture nothing.
nonisolated(unsafe) private var forwardingTarget: pid_t = 0
/// A signal sent to trace after the program started but before it was named.
nonisolated(unsafe) private var pendingSignal: Int32 = 0
