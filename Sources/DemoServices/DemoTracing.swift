import CoreMetrics
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// How the demo's spans leave the process: swift-otel's OTLP exporter (HTTP or gRPC), tuned so a
/// long run loses nothing. swift-otel 1.6 exports one batch per `scheduleDelay` and drops spans
/// past `maxQueueSize`; the defaults (5 s, 512, 2048) lose most spans of a 20,000-request run.
public struct DemoTracingConfiguration: Sendable {
    /// The OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`, or over gRPC the
    /// collector's address, `http://127.0.0.1:4317`.
    public var endpoint: String
    public var exportProtocol = ExportProtocol.httpProtobuf
    /// Where the services' log records go: the OTLP/HTTP logs URL beside `endpoint`, or over gRPC
    /// the same address. Derived from `endpoint`; nil turns the log export off.
    public var logsEndpoint: String?
    /// Where the services' metrics go, derived the same way; nil turns the metrics off.
    public var metricsEndpoint: String?

    /// OTLP/gRPC, or OTLP/HTTP with protobuf or JSON bodies (swift-otel's three).
    public enum ExportProtocol: Sendable {
        case grpc, httpProtobuf, httpJSON
    }
    /// Spans that may be waiting at once; size it for the whole run so nothing is dropped.
    public var maxQueueSize: Int
    public var maxExportBatchSize: Int
    public var scheduleDelay: Duration
    /// How long one export, and the flush of everything still queued at shutdown, may take.
    /// swift-otel drops what is not exported by then, so a long run's backlog needs a long limit.
    public var exportTimeout: Duration

    public init(endpoint: String, maxQueueSize: Int = 1 << 20, maxExportBatchSize: Int = 32_768, scheduleDelay: Duration = .milliseconds(20),
                exportTimeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        logsEndpoint = endpoint.hasSuffix("/v1/traces") ? String(endpoint.dropLast("/v1/traces".count)) + "/v1/logs" : endpoint
        metricsEndpoint = endpoint.hasSuffix("/v1/traces") ? String(endpoint.dropLast("/v1/traces".count)) + "/v1/metrics" : endpoint
        self.maxQueueSize = maxQueueSize
        self.maxExportBatchSize = maxExportBatchSize
        self.scheduleDelay = scheduleDelay
        self.exportTimeout = exportTimeout
    }

    /// A queue that cannot overflow for `requests` requests (each makes at most 8 spans), and time
    /// to store all of them at shutdown even at a slow 1,000 requests a second.
    public static func sized(forRequests requests: Int, endpoint: String,
                             exportProtocol: ExportProtocol = .httpProtobuf) -> Self {
        var configuration = Self(endpoint: endpoint, maxQueueSize: max(65_536, requests * 8 + 4096), exportTimeout: .seconds(max(30, requests / 1_000)))
        configuration.exportProtocol = exportProtocol
        return configuration
    }
}

/// One service's own tracer and log: its own `service.name` resource, its own exporters and
/// queues. Both demo services live in one process, so neither uses the global tracer or logger.
public struct ServiceTracer: Sendable {
    public let serviceName: String
    public let tracer: any Tracer
    /// The service's log: swift-otel's handler, which exports each record with the active span's context.
    public let log: Logger
    /// The service's metrics: swift-otel's swift-metrics backend, exporting every second; nil when off.
    public let metrics: (any MetricsFactory)?
    /// Flush and export on graceful shutdown; run them in the service group.
    public let services: [any Service]

    /// What both services say about themselves besides their name, whichever tracer records them.
    public static let resourceAttributes = ["service.namespace": "trace-demo", "telemetry.sdk.language": "swift"]

    public init(serviceName: String, configuration: DemoTracingConfiguration, logger: Logger) throws {
        var config = OTel.Configuration.default
        config.serviceName = serviceName
        config.resourceAttributes = Self.resourceAttributes
        config.diagnosticLogger = .custom(logger)
        config.diagnosticLogLevel = .error
        config.logs.enabled = configuration.logsEndpoint != nil
        config.metrics.enabled = configuration.metricsEndpoint != nil
        config.traces.sampler = .alwaysOn
        config.traces.batchSpanProcessor.scheduleDelay = configuration.scheduleDelay
        config.traces.batchSpanProcessor.maxExportBatchSize = configuration.maxExportBatchSize
        config.traces.batchSpanProcessor.maxQueueSize = configuration.maxQueueSize
        config.traces.otlpExporter.endpoint = configuration.endpoint
        let exportProtocol: OTel.Configuration.OTLPExporterConfiguration.`Protocol` = switch configuration.exportProtocol {
        case .grpc: .grpc
        case .httpProtobuf: .httpProtobuf
        case .httpJSON: .httpJSON
        }
        config.traces.otlpExporter.protocol = exportProtocol
        config.traces.batchSpanProcessor.exportTimeout = configuration.exportTimeout
        config.traces.otlpExporter.timeout = configuration.exportTimeout
        let backend = try OTel.makeTracingBackend(configuration: config)
        self.serviceName = serviceName
        self.tracer = backend.factory
        var services: [any Service] = [backend.service]
        if let metricsEndpoint = configuration.metricsEndpoint {
            config.metrics.otlpExporter.endpoint = metricsEndpoint
            config.metrics.otlpExporter.protocol = exportProtocol
            config.metrics.otlpExporter.timeout = configuration.exportTimeout
            config.metrics.exportInterval = .seconds(1)
            // The HTTP semantic conventions' duration boundaries, as the builtin backend uses.
            config.metrics.defaultDurationHistogramBuckets = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000].map(Duration.milliseconds)
            let measuring = try OTel.makeMetricsBackend(configuration: config)
            metrics = measuring.factory
            services.append(measuring.service)
        } else {
            metrics = nil
        }
        guard let logsEndpoint = configuration.logsEndpoint else {
            log = Logger(label: serviceName, factory: { _ in SwiftLogNoOpLogHandler() })
            self.services = services
            return
        }
        config.logs.level = .info
        config.logs.otlpExporter.endpoint = logsEndpoint
        config.logs.otlpExporter.protocol = exportProtocol
        config.logs.otlpExporter.timeout = configuration.exportTimeout
        config.logs.batchLogRecordProcessor.scheduleDelay = configuration.scheduleDelay
        config.logs.batchLogRecordProcessor.maxExportBatchSize = configuration.maxExportBatchSize
        config.logs.batchLogRecordProcessor.maxQueueSize = configuration.maxQueueSize
        config.logs.batchLogRecordProcessor.exportTimeout = configuration.exportTimeout
        let logging = try OTel.makeLoggingBackend(configuration: config)
        log = Logger(label: serviceName, factory: logging.factory)
        self.services = services + [logging.service]
    }
}
