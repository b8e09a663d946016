import ArgumentParser
import Foundation
import Logging
import TraceRun
import TraceStore
import TraceViews

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the traced frontend/backend pair, send it requests, and store every span.",
        discussion: """
            Starts a backend and a frontend on free loopback ports, sends the frontend N requests with \
            C in flight, then shuts down in order so every span is stored, and prints client-side \
            latency and where the time went. Ctrl-C stops sending, stores what was produced \
            and exits 130.

            --untraced runs the same pair and load with tracing off (no spans made, no receiver, no \
            database), so comparing the two runs' requests/s shows what instrumentation costs.

            \(DemoOptions.otlpProtocolDiscussion)
            """)

    @Option(help: "Number of requests to send.")
    var requests = 10

    @Option(help: "Requests in flight at once.")
    var concurrency = 1

    @Flag(help: "Run the same pair and load with tracing off: nothing is recorded, to show what tracing costs.")
    var untraced = false

    @OptionGroup var demo: DemoOptions
    @OptionGroup var label: RunLabelOption
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard requests >= 1 else { throw ValidationError("--requests must be at least 1, got \(requests)") }
        guard requests <= 10_000_000 else { throw ValidationError("--requests must be at most 10000000") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1024, got \(concurrency)") }
        if untraced, database.db != nil { throw ValidationError("--untraced stores nothing, so --db has no use with it") }
        if untraced, demo.export.otlpEndpoint != nil { throw ValidationError("--untraced makes no spans, so --otlp-endpoint has no use with it") }
        if untraced, demo.tracer != nil { throw ValidationError("--untraced makes no spans, so --tracer has no use with it") }
        if untraced, label.label != nil { throw ValidationError("--untraced records no run, so --label has no use with it") }
    }

    func run() async throws {
        let session = RunSession(requests: requests, concurrency: concurrency, stack: try demo.stackConfiguration())
        let progress = ProgressLine(total: requests, label: "requests")
        let report = untraced
            ? try await run(session, store: nil, progress: progress)
            : try await database.withStoreForWriting { store in
                try await RunRecording.around(.run, label: label.label, in: store, exitCode: { $0.interrupted ? 130 : 0 }) { _ in
                    try await run(session, store: store, progress: progress)
                }
            }
        progress.finish()
        print(report.text(style: Terminal.style), terminator: "")
        if report.interrupted { throw ExitCode(130) }
    }

    private func run(_ session: RunSession, store: TraceStore?, progress: ProgressLine) async throws -> RunReport {
        let task = Task {
            try await session.run(store: store, logger: Logger.quiet, onStarted: { stack in
                let receiver = switch (store, stack.receiverPort) {
                case (nil, _): "tracing off"
                case (_, let port?): "swift-otel exporting to the OTLP receiver :\(port) (\(session.stack.otlpProtocol.rawValue))"
                case (_, nil): "builtin tracer"
                }
                Terminal.printNote("frontend http://127.0.0.1:\(stack.frontendPort), backend :\(stack.backendPort), \(receiver); "
                    + "sending \(requests) requests, \(concurrency) at a time (Ctrl-C to stop)")
            }, progress: progress.update)
        }
        let interrupt = InterruptSignal { task.cancel() }
        defer { _ = interrupt }
        do {
            return try await task.value
        } catch {
            throw UserFacingError.wrapping(error)
        }
    }
}

extension Logger {
    /// Servers inside the CLI log only errors, on stderr.
    static var quiet: Logger {
        Logger(label: "trace") { _ in OneLineLogHandler(logLevel: .error) }
    }

    /// For a receiver whose failures the command reports itself in one line: when a sibling
    /// server cannot start, its cancellation is not an error worth a log line.
    static var silent: Logger {
        Logger(label: "trace") { _ in OneLineLogHandler(logLevel: .critical) }
    }
}
