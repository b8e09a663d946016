import ArgumentParser
import Foundation
import OTLP
import OTLPGRPC
import OTLPHTTP
import TraceIngest
import ServiceLifecycle
import ZipkinHTTP

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OTLP traces, logs and metrics (gRPC and HTTP) from any OpenTelemetry SDK and store them.",
        discussion: """
            Serves OTLP/gRPC (TraceService/Export, LogsService/Export, MetricsService/Export) on port 4317 \
            and OTLP/HTTP (POST /v1/traces, /v1/logs and /v1/metrics, protobuf or JSON) on port 4318, both \
            optionally gzip, into \
            one database, until Ctrl-C; then finishes what it received and exits 0. An SDK with no endpoint configured finds it: most export \
            over gRPC to 4317, the rest over HTTP to 4318.

            --zipkin-port 9411 also takes Zipkin v2 JSON spans (POST /api/v2/spans, optionally gzip), \
            from apps instrumented with Zipkin libraries (Brave, Sleuth, zipkin-go) or an \
            OpenTelemetry SDK's Zipkin exporter: localEndpoint.serviceName becomes service.name, \
            tags attributes (an error tag an error status), annotations events; a shared span's \
            server half is kept as its own span, under the client's.

            --otlp-endpoint forwards every accepted request (traces, logs and metrics), once stored, to \
            another collector (Jaeger, Tempo, an OpenTelemetry Collector) over --otlp-protocol; a \
            collector that is down costs counted failures, never the local copy.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: [.customLong("grpc-port")], help: ArgumentHelp("Port for OTLP/gRPC (0 picks a free one), or off.", valueName: "port|off"))
    var grpcPort = ListenPort.port(4317)

    @Option(name: [.customLong("http-port"), .customLong("port")],
            help: ArgumentHelp("Port for OTLP/HTTP (0 picks a free one), or off. --port is the same.", valueName: "port|off"))
    var httpPort = ListenPort.port(4318)

    @Option(name: [.customLong("zipkin-port")], help: ArgumentHelp("Port for Zipkin v2 JSON spans, usually 9411 (0 picks a free one); off by default.", valueName: "port|off"))
    var zipkinPort = ListenPort.off

    @Option(help: ArgumentHelp("Largest request accepted, in MiB, after decompression.", valueName: "MiB"))
    var maxBodySize = 64

    /// Forwarding: every accepted request goes on to --otlp-endpoint, over --otlp-protocol.
    @OptionGroup(title: "Forwarding") var forwarding: OTLPExportOptions

    @OptionGroup var label: RunLabelOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard grpcPort != .off || httpPort != .off || zipkinPort != .off else {
            throw ValidationError("--grpc-port off and --http-port off leave nothing to listen on")
        }
        guard (1...4096).contains(maxBodySize) else { throw ValidationError("--max-body-size must be from 1 to 4096 MiB") }
    }

    func run() async throws {
        try await database.withStoreForWriting { store in
            let statistics = IngestStatistics()
            let forwarder = try forwarding.forwarder(statistics: statistics)
            let ingestor = Ingestor(store: store, forwarder: forwarder, statistics: statistics, maxBodyBytes: maxBodySize << 20,
                                    onStorage: Terminal.printStorageEvent)
            let banner = ListeningBanner(expected: [grpcPort, httpPort, zipkinPort].filter { $0 != .off }.count, path: store.path)
            var receivers: [any Service] = []
            if let port = grpcPort.number {
                receivers.append(OTLPGRPCReceiver(
                    configuration: .init(host: host, port: port), ingestor: ingestor,
                    onServerRunning: { [host] port in await banner.report("http://\(host):\(port) (OTLP/gRPC)") }))
            }
            if let port = httpPort.number {
                receivers.append(OTLPReceiver.buildApplication(
                    configuration: .init(host: host, port: port), ingestor: ingestor, logger: .silent,
                    onServerRunning: { [host] port in await banner.report("http://\(host):\(port)/v1/traces (OTLP/HTTP)") }))
            }
            if let port = zipkinPort.number {
                receivers.append(ListeningService(option: "--zipkin-port", address: "\(host):\(port)", service: ZipkinReceiver.buildApplication(
                    configuration: .init(host: host, port: port), ingestor: ingestor, logger: .silent,
                    onServerRunning: { [host] port in await banner.report("http://\(host):\(port)/api/v2/spans (Zipkin)") })))
            }
            let group = ServiceGroup(configuration: .init(
                services: ([forwarder].compactMap { $0 } as [any Service]) + receivers,
                gracefulShutdownSignals: [.sigint, .sigterm], logger: .quiet))
            do {
                try await RunRecording.around(.collect, label: label.label, in: store) { _ in try await group.run() }
            } catch let error as ListeningService.Failure {
                throw UserFacingError.wrapping(error.underlying, listeningOn: error.address, option: error.option)
            } catch let error as OTLPGRPCReceiver.CannotListen {
                throw UserFacingError.cannotListen(on: "\(host):\(grpcPort)", errno: error.errno, option: "--grpc-port")
            } catch {
                throw UserFacingError.wrapping(error, listeningOn: "\(host):\(httpPort)", option: "--http-port")
            }
            let totals = statistics.snapshot
            var summary = "stopped: requests \(totals.requestsAccepted) accepted"
            if totals.requestsRejected > 0 { summary += ", \(totals.requestsRejected) rejected" }
            summary += "; spans \(totals.spansStored) stored"
            if totals.spansDuplicate > 0 { summary += ", \(totals.spansDuplicate) duplicates ignored" }
            if totals.spansRejected > 0 { summary += ", \(totals.spansRejected) rejected (malformed ids)" }
            if totals.logRecordsStored + totals.logRecordsDuplicate + totals.logRecordsRejected > 0 {
                summary += "; log records \(totals.logRecordsStored) stored"
                if totals.logRecordsDuplicate > 0 { summary += ", \(totals.logRecordsDuplicate) duplicates ignored" }
                if totals.logRecordsRejected > 0 { summary += ", \(totals.logRecordsRejected) rejected (malformed ids)" }
            }
            if totals.metricPointsStored + totals.metricPointsDuplicate + totals.metricPointsRejected > 0 {
                summary += "; metric points \(totals.metricPointsStored) stored"
                if totals.metricPointsDuplicate > 0 { summary += ", \(totals.metricPointsDuplicate) already stored" }
                if totals.metricPointsRejected > 0 { summary += ", \(totals.metricPointsRejected) rejected" }
            }
            if let forwarder { summary += "; forwarded \(totals.requestsForwarded) to \(forwarder.endpoint), \(totals.forwardFailures) failed" }
            Terminal.printNote(summary)
        }
    }
}

/// Prints the one startup line once every enabled receiver has bound its port: HTTP first, as
/// the line has always begun, then gRPC.
private actor ListeningBanner {
    private let expected: Int
    private let path: String
    private var addresses: [String] = []

    init(expected: Int, path: String) {
        self.expected = expected
        self.path = path
    }

    func report(_ address: String) {
        addresses.append(address)
        guard addresses.count == expected else { return }
        let ordered = addresses.sorted { $0.hasSuffix("(OTLP/HTTP)") && !$1.hasSuffix("(OTLP/HTTP)") }
        Terminal.printNote("listening on \(ordered.joined(separator: " and ")), storing in \(path); Ctrl-C to stop")
    }
}

/// A receiver whose failure to start says which option chose its port, when several HTTP servers run side by side.
private struct ListeningService: Service {
    struct Failure: Error {
        var option: String
        var address: String
        var underlying: any Error
    }

    let option: String
    let address: String
    let service: any Service

    func run() async throws {
        do { try await service.run() } catch { throw Failure(option: option, address: address, underlying: error) }
    }
}
