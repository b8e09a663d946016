import CoreMetrics
import DemoServices
import Hummingbird
import Logging
import OTLP
import OTLPExport
import OTLPGRPC
import OTLPHTTP
import RecordingTracer
import ServiceLifecycle
import TraceIngest
import TraceModel
import TraceStore
import Tracing

/// What the receiver and the instrumented pair listen on and how they behave.
public struct DemoStackConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (`trace run`); `trace serve` asks for a fixed one.
    public var frontendPort: Int
    public var backend: BackendBehavior
    /// Open a new connection to the backend for every request instead of reusing idle ones.
    public var newConnections: Bool
    /// Also forward everything stored to this OTLP collector, over `otlpProtocol`.
    public var forwardEndpoint: String?
    /// Spans the tracers must be able to hold at once.
    public var expectedRequests: Int
    /// How the demo's exporters reach the embedded receiver (gRPC, or HTTP with protobuf or JSON),
    /// and how spans are forwarded.
    public var otlpProtocol: OTLPProtocol
    /// Which tracer records the pair's spans (and log records).
    public var tracer: DemoTracer
    /// Whether the pair logs (a few records a request, each under its span).
    public var logs: Bool
    /// Whether the pair measures itself (request counts and durations, as OTLP metrics).
    public var metrics: Bool

    public init(host: String = "127.0.0.1", frontendPort: Int = 0, backend: BackendBehavior = .init(), newConnections: Bool = false,
                forwardEndpoint: String? = nil, expectedRequests: Int = 10_000, otlpProtocol: OTLPProtocol = .default,
                tracer: DemoTracer = .builtin, logs: Bool = true, metrics: Bool = true) {
        self.otlpProtocol = otlpProtocol
        self.logs = logs
        self.metrics = metrics
        self.tracer = tracer
        self.host = host
        self.frontendPort = frontendPort
        self.backend = backend
        self.newConnections = newConnections
        self.forwardEndpoint = forwardEndpoint
        self.expectedRequests = expectedRequests
    }
}

/// How the demo pair's spans are made and reach the store.
public enum DemoTracer: String, Sendable, CaseIterable {
    /// trace's own tracer: each finished span goes straight into the store, in this process, as
    /// the Go demo's SQLite exporter does.
    case builtin
    /// The swift-otel SDK: spans are exported over OTLP (`otlpProtocol`) to an embedded receiver,
    /// the path they take between two processes.
    case swiftOTel = "swift-otel"
}

/// The traced frontend/backend pair and what records its spans (with swift-otel, an embedded
/// OTLP receiver), in one process. Started in dependency order and stopped in reverse, so every
/// span is stored.
public final class DemoStack: Sendable {
    /// The embedded OTLP receiver's; nil unless the spans travel over OTLP (swift-otel).
    public let receiverPort: Int?
    public let backendPort: Int
    public let frontendPort: Int
    public let statistics: IngestStatistics
    /// Where spans are forwarded, as the forwarder names it; nil without forwarding.
    public let forwardEndpoint: String?
    /// The receiver and the forwarder, whichever run: they stop after the tracers.
    private let downstream: RunningServices?
    private let pair: RunningServices
    private let frontend: RunningServices
    private let backendClient: PhaseTracedHTTPClient

    private init(receiverPort: Int?, backendPort: Int, frontendPort: Int, statistics: IngestStatistics, forwardEndpoint: String?,
                 downstream: RunningServices?, pair: RunningServices, frontend: RunningServices, backendClient: PhaseTracedHTTPClient) {
        self.receiverPort = receiverPort
        self.backendPort = backendPort
        self.frontendPort = frontendPort
        self.statistics = statistics
        self.forwardEndpoint = forwardEndpoint
        self.downstream = downstream
        self.pair = pair
        self.frontend = frontend
        self.backendClient = backendClient
    }

    /// Starts the tracers (storing into `store`) and the traced pair; without a store, only the
    /// pair, under a no-op tracer: what tracing costs.
    public static func start(configuration: DemoStackConfiguration, store: TraceStore?, logger: Logger) async throws -> DemoStack {
        let statistics = IngestStatistics()
        var recording = Recording(tracers: (NoOpTracer(), NoOpTracer()), logs: (noLog, noLog))
        var forwardEndpoint: String?
        if let store {
            let forwarder = try configuration.forwardEndpoint.map { try configuration.otlpProtocol.forwarder(to: $0, observer: statistics) }
            forwardEndpoint = forwarder?.endpoint
            let ingestor = Ingestor(store: store, forwarder: forwarder, statistics: statistics)
            recording = switch configuration.tracer {
            case .builtin: builtinRecording(into: ingestor, logs: configuration.logs, metrics: configuration.metrics, logger: logger)
            case .swiftOTel: try await swiftOTelRecording(into: ingestor, configuration: configuration, logger: logger)
            }
        }

        do {
            // Requests wait while the store is behind (the builtin tracer's queue is full), so
            // no client, `trace run`'s load or any other, makes spans faster than they are stored.
            var hold: (@Sendable () async -> Void)?
            if let queue = recording.queue {
                let logQueue = recording.logQueue
                hold = {
                    await queue.waitForRoom()
                    await logQueue?.waitForRoom()
                }
            }
            let backendSignal = PortSignal()
            let backendApp = Backend.buildApplication(
                host: configuration.host, port: 0, tracer: recording.tracers.backend, log: recording.logs.backend, metrics: recording.metrics.backend,
                behavior: configuration.backend, logger: logger,
                beforeEachRequest: hold, onServerRunning: { backendSignal.report($0) })
            let pair = RunningServices.start(recording.services + [backendApp], logger: logger, onExit: backendSignal.finish)
            guard let backendPort = await backendSignal.wait() else {
                try await pair.result()
                throw DemoStackError.didNotStart("backend")
            }

            let backendClient = PhaseTracedHTTPClient(host: "localhost", port: backendPort, keepAlive: !configuration.newConnections)
            let frontendSignal = PortSignal()
            let frontendApp = Frontend.buildApplication(
                host: configuration.host, port: configuration.frontendPort, tracer: recording.tracers.frontend, log: recording.logs.frontend,
                metrics: recording.metrics.frontend, backend: backendClient,
                logger: logger, beforeEachRequest: hold, onServerRunning: { frontendSignal.report($0) })
            let frontend = RunningServices.start([frontendApp], logger: logger, onExit: frontendSignal.finish)
            guard let frontendPort = await frontendSignal.wait() else {
                do { try await frontend.result() } catch {
                    try? await pair.stop()
                    throw error
                }
                try? await pair.stop()
                throw DemoStackError.didNotStart("frontend")
            }
            return DemoStack(receiverPort: recording.receiverPort, backendPort: backendPort, frontendPort: frontendPort, statistics: statistics,
                             forwardEndpoint: forwardEndpoint, downstream: recording.downstream, pair: pair, frontend: frontend, backendClient: backendClient)
        } catch {
            try? await recording.downstream?.stop()
            throw error
        }
    }

    /// The pair's tracers, the services to run beside them (stopped after the pair), and what
    /// must stop after those (the receiver, the forwarder).
    private struct Recording {
        var tracers: (frontend: any Tracer, backend: any Tracer)
        var logs: (frontend: Logger, backend: Logger)
        var metrics: (frontend: (any MetricsFactory)?, backend: (any MetricsFactory)?) = (nil, nil)
        var services: [any Service] = []
        var downstream: RunningServices?
        var receiverPort: Int?
        var queue: FinishedSpanQueue?
        var logQueue: FinishedRecordQueue<LogRecord>?
    }

    /// The builtin tracers, log handlers and metrics backends, one per service, sharing one queue
    /// of spans, one of log records and one metric reader into the ingestor.
    private static func builtinRecording(into ingestor: Ingestor, logs: Bool, metrics: Bool, logger: Logger) -> Recording {
        let queue = FinishedSpanQueue { try await ingestor.ingest(.spans($0)) }
        let logQueue = logs ? FinishedRecordQueue<LogRecord> { try await ingestor.ingest(.logRecords($0)) } : nil
        let downstream = ingestor.forwarder.map { RunningServices.start([$0], logger: logger, onExit: {}) }
        func log(_ service: String) -> Logger {
            guard let logQueue else { return noLog }
            return Logger(label: service) { _ in
                RecordingLogHandler(resource: demoResource(service), scope: InstrumentationScope(name: Frontend.scopeName), queue: logQueue)
            }
        }
        let measures = metrics ? (frontend: RecordingMetrics(demoService: Frontend.serviceName), backend: RecordingMetrics(demoService: Backend.serviceName)) : nil
        // Once a second, and when the pair has stopped, each series' cumulative point.
        let reader = measures.map { measures in MetricsReader([measures.frontend, measures.backend]) { try await ingestor.ingest(.metricPoints($0)) } }
        return Recording(tracers: (RecordingTracer(demoService: Frontend.serviceName, queue: queue),
                                   RecordingTracer(demoService: Backend.serviceName, queue: queue)),
                         logs: (log(Frontend.serviceName), log(Backend.serviceName)),
                         metrics: (measures?.frontend, measures?.backend),
                         services: [queue] + [logQueue].compactMap { $0 } + [reader].compactMap { $0 }, downstream: downstream, queue: queue, logQueue: logQueue)
    }

    /// An OTLP receiver in front of the ingestor, and swift-otel tracers exporting to it.
    private static func swiftOTelRecording(into ingestor: Ingestor, configuration: DemoStackConfiguration,
                                           logger: Logger) async throws -> Recording {
        let receiverSignal = PortSignal()
        let overGRPC = configuration.otlpProtocol == .grpc
        let receiverService: any Service = overGRPC
            ? OTLPGRPCReceiver(configuration: .init(host: configuration.host, port: 0), ingestor: ingestor,
                               onServerRunning: { receiverSignal.report($0) })
            : OTLPReceiver.buildApplication(
                configuration: .init(host: configuration.host, port: 0), ingestor: ingestor, logger: logger,
                onServerRunning: { receiverSignal.report($0) })
        let started = RunningServices.start([ingestor.forwarder].compactMap { $0 } + [receiverService], logger: logger,
                                            onExit: receiverSignal.finish)
        guard let port = await receiverSignal.wait() else {
            try await started.result()
            throw DemoStackError.didNotStart("OTLP receiver")
        }
        do {
            var tracing = DemoTracingConfiguration.sized(
                forRequests: configuration.expectedRequests,
                endpoint: "http://\(configuration.host):\(port)" + (overGRPC ? "" : "/v1/traces"),
                exportProtocol: configuration.otlpProtocol.demoExportProtocol)
            if !configuration.logs { tracing.logsEndpoint = nil }
            if !configuration.metrics { tracing.metricsEndpoint = nil }
            let frontendTracer = try ServiceTracer(serviceName: Frontend.serviceName, configuration: tracing, logger: logger)
            let backendTracer = try ServiceTracer(serviceName: Backend.serviceName, configuration: tracing, logger: logger)
            return Recording(tracers: (frontendTracer.tracer, backendTracer.tracer), logs: (frontendTracer.log, backendTracer.log),
                             metrics: (frontendTracer.metrics, backendTracer.metrics), services: frontendTracer.services + backendTracer.services, downstream: started, receiverPort: port)
        } catch {
            try? await started.stop()
            throw error
        }
    }

    /// Stops the frontend, then the backend and the tracers (which export what they hold), then
    /// the receiver and forwarder: after this returns, every span the pair made is stored.
    /// Why recording stopped (a store that cannot take rows ends the builtin tracer's queue), as soon as it has; nil while it records.
    public var recordingFailure: (any Error)? { pair.failed }

    public func stop() async throws {
        try await frontend.stop()
        await backendClient.shutdown()
        try await pair.stop()
        try await downstream?.stop()
    }
}

public enum DemoStackError: Error, CustomStringConvertible {
    case didNotStart(String)
    public var description: String {
        switch self {
        case .didNotStart(let part): "the \(part) did not start"
        }
    }
}

extension RecordingMetrics {
    /// One demo service's metrics, with the resource and scope its spans have.
    convenience init(demoService: String) {
        self.init(resource: DemoStack.demoResource(demoService), scope: InstrumentationScope(name: Frontend.scopeName))
    }
}

extension RecordingTracer {
    /// One demo service's tracer: its resource says what the swift-otel tracers' does, and that
    /// `trace` is the SDK; its scope is the classic demo's.
    init(demoService: String, queue: FinishedSpanQueue) {
        self.init(resource: DemoStack.demoResource(demoService), scope: InstrumentationScope(name: Frontend.scopeName), queue: queue)
    }
}

extension DemoStack {
    /// The pair's log when nothing records it (`--untraced`, `--no-logs`).
    static let noLog = Logger(label: "demo") { _ in SwiftLogNoOpLogHandler() }

    /// A demo service's resource under the builtin tracer: what the swift-otel tracers' says, and
    /// that `trace` is the SDK.
    static func demoResource(_ service: String) -> Resource {
        let attributes = [Attribute("service.name", .string(service)), Attribute("telemetry.sdk.name", .string("trace"))]
            + ServiceTracer.resourceAttributes.sorted { $0.key < $1.key }.map { Attribute($0.key, .string($0.value)) }
        return Resource(attributes: attributes)
    }
}

extension OTLPProtocol {
    /// The same choice, for the demo's swift-otel exporters.
    var demoExportProtocol: DemoTracingConfiguration.ExportProtocol {
        switch self {
        case .grpc: .grpc
        case .httpProtobuf: .httpProtobuf
        case .httpJSON: .httpJSON
        }
    }
}
