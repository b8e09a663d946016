import Foundation
import TraceFixtures
import Testing

/// The built `trace` executable, run as a user would run it.
struct TraceBinary {
    static let url: URL = {
        if let override = ProcessInfo.processInfo.environment["TRACE_BINARY"] { return URL(fileURLWithPath: override) }
        // swift test runs the test bundle from the build products directory, next to the executable.
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("trace")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs to completion in `directory` with a clean environment (no colour, no TRACE_DB unless given).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], stdin: Data? = nil) throws -> Result {
        try runToCompletion(makeProcess(arguments, in: directory, environment: environment), stdin: stdin)
    }

    /// Starts `process`, feeds it `stdin`, and reads both output streams to the end without deadlocking.
    static func runToCompletion(_ process: Process, stdin: Data?) throws -> Result {
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = errors.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func makeProcess(_ arguments: [String], in directory: URL, environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["TRACE_DB"] = nil
        // The SDKs' exporter settings of whoever runs the tests must not steer `trace export`.
        for key in env.keys where key.hasPrefix("OTEL_EXPORTER_OTLP_") { env[key] = nil }
        env["NO_COLOR"] = "1"
        env["COLUMNS"] = "120"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }
}

/// A process left running (`trace collect`, `serve`, a long run, a client script), whose stdout
/// and stderr are read as they come.
final class RunningProcess: @unchecked Sendable {
    let process: Process
    private let errors = Pipe()
    private let output = Pipe()
    private let lock = NSCondition()
    private var stderrText = ""
    private var stdoutData = Data()
    private var finishedReading = 0

    /// The `trace` binary with `arguments`, in `directory`.
    convenience init(_ arguments: [String], in directory: URL) throws {
        try self.init(TraceBinary.makeProcess(arguments, in: directory, environment: [:]))
    }

    /// python3 with `arguments` (standard library only).
    static func python(_ arguments: [String]) throws -> RunningProcess {
        let process = Process()
        process.executableURL = try requiredProgram("python3")
        process.arguments = arguments
        return try RunningProcess(process)
    }

    init(_ process: Process) throws {
        self.process = process
        process.standardError = errors
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isError) in [(errors, true), (output, false)] {
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    lock.lock()
                    if chunk.isEmpty { finishedReading += 1; lock.broadcast(); lock.unlock(); return }
                    if isError { stderrText += String(decoding: chunk, as: UTF8.self) } else { stdoutData += chunk }
                    lock.broadcast()
                    lock.unlock()
                }
            }
        }
    }

    /// Blocks until stdout holds `count` lines (or the process has closed it).
    func waitForStdoutLines(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        while stdoutData.count(where: { $0 == UInt8(ascii: "\n") }) < count, finishedReading < 2 { lock.wait() }
    }

    /// Blocks until stderr contains `text` (or the process has closed stderr); returns all stderr so far.
    func waitForStderr(containing text: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        while !stderrText.contains(text), finishedReading == 0 { lock.wait() }
        return stderrText
    }

    /// Sends `signal` and waits for the process to end.
    func stop(with signal: Int32 = SIGINT) -> TraceBinary.Result {
        kill(process.processIdentifier, signal)
        return finish()
    }

    func finish() -> TraceBinary.Result {
        process.waitUntilExit()
        lock.lock()
        while finishedReading < 2 { lock.wait() }
        let result = TraceBinary.Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: stderrText)
        lock.unlock()
        return result
    }
}

/// Runs python3 with `arguments`, feeding `stdin`: the tests' plain HTTP client and process helper
/// (standard library only; the OpenTelemetry SDK runs in `TestPython`'s environment).
func runPython(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], interpreter: URL? = nil) throws -> TraceBinary.Result {
    let process = Process()
    process.executableURL = try interpreter ?? requiredProgram("python3")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    return try TraceBinary.runToCompletion(process, stdin: stdin)
}

/// The gRPC port in a startup line "... and http://127.0.0.1:PORT (OTLP/gRPC) ...".
func grpcListeningPort(in banner: String) -> Int? {
    guard let range = banner.range(of: #"[0-9]+ \(OTLP/gRPC\)"#, options: .regularExpression) else { return nil }
    return Int(banner[range].split(separator: " ").first ?? "")
}

/// The port in a "listening on http://127.0.0.1:PORT/..." or "http://127.0.0.1:PORT (...)" banner.
func listeningPort(in banner: String) -> Int? {
    guard let range = banner.range(of: #"http://[0-9.]+:[0-9]+"#, options: .regularExpression) else { return nil }
    return Int(banner[range].split(separator: ":").last ?? "")
}

@Suite struct TestPrerequisiteTests {
    @Test func aMissingProgramFailsWithOneLineNamingItsPackage() {
        #expect(throws: MissingProgram.self) { try requiredProgram("trace-no-such-program") }
        let message = MissingProgram(name: "sqlite3", package: "sqlite3").description
        #expect(message == "sqlite3 is not installed; these tests run it as a user would (sudo apt-get install sqlite3, one of the README's prerequisites)")
        #expect(!message.contains("\n"))
    }

    @Test func programsOnPathAreFound() throws {
        #expect(try requiredProgram("sh").lastPathComponent == "sh")
    }
}
