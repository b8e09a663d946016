import Foundation
import Logging
import OTLPGRPC
import OTLPHTTP
import ServiceLifecycle
import TraceIngest
import TraceRun

/// `trace exec`: receivers on loopback for every signal, the user's program run against them, and
/// a short wait after it ends for its exporters' last flush.
public struct ExecSession: Sendable {
    public var command: [String]
    /// The environment the program would have had; the SDK settings it lacks are added.
    public var environment: [String: String]
    /// The longest wait after the program ends for telemetry still on its way; it ends sooner
    /// once the program's connections have closed and nothing is being stored.
    public var grace: Duration
    public var host = "127.0.0.1"

    public init(command: [String], environment: [String: String], grace: Duration = .seconds(3)) {
        self.command = command
        self.environment = environment
        self.grace = grace
    }

    /// What happened, for the summary.
    public struct Outcome: Sendable {
        public var termination: ChildProcess.Termination
        public var endpoint: String
        /// The variables `exec` set, and those the user had set already and were left alone.
        public var variablesSet: [String]
        public var variablesKept: [String]
        /// How long it waited after the program ended.
        public var waited: Duration
    }

    public struct DidNotStart: Error, CustomStringConvertible {
        public var description: String
    }

    public func run(ingestor: Ingestor, logger: Logger, onListening: @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let grpcSignal = PortSignal(), httpSignal = PortSignal()
        let services: [any Service] = [
            OTLPGRPCReceiver(configuration: .init(host: host, port: 0), ingestor: ingestor, onServerRunning: { grpcSignal.report($0) }),
            OTLPReceiver.buildApplication(configuration: .init(host: host, port: 0), ingestor: ingestor, logger: logger,
                                          onServerRunning: { httpSignal.report($0) }),
        ]
        let receivers = RunningServices.start(services, logger: logger, onExit: { grpcSignal.finish(); httpSignal.finish() })
        guard let grpcPort = await grpcSignal.wait(), let httpPort = await httpSignal.wait() else {
            try await receivers.result()
            throw DidNotStart(description: "the OTLP receivers did not start")
        }
        let shared: SharedOTLPPort
        do { shared = try await SharedOTLPPort.start(host: host, grpcPort: grpcPort, httpPort: httpPort) } catch {
            try? await receivers.stop()
            throw error
        }
        let endpoint = "http://\(host):\(shared.port)"
        onListening(endpoint)
        let settings = ExecEnvironment.applied(to: environment, endpoint: endpoint)
        let signals = SignalForwarding()
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(command, environment: settings.environment)
        } catch {
            signals.stop()
            await shared.close()
            try? await receivers.stop()
            throw error
        }
        signals.forward(to: child)
        let termination = await child.wait()
        signals.stop()
        let waited = await waitForLastExports(shared: shared, statistics: ingestor.statistics)
        await shared.close()
        try await receivers.stop()
        return Outcome(termination: termination, endpoint: endpoint, variablesSet: settings.set, variablesKept: settings.kept, waited: waited)
    }

    /// Until the program's connections have closed and no request is being stored (its exporters
    /// flush as it shuts down, so usually at once), or `grace` has passed.
    private func waitForLastExports(shared: SharedOTLPPort, statistics: IngestStatistics) async -> Duration {
        let clock = ContinuousClock()
        let began = clock.now
        var quietChecks = 0
        while clock.now - began < grace {
            let quiet = shared.openConnections == 0 && statistics.snapshot.requestsInFlight == 0
            quietChecks = quiet ? quietChecks + 1 : 0
            // Twice in a row, a poll apart: a connection being accepted is not missed between the two counts.
            if quietChecks >= 2 { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return clock.now - began
    }
}
