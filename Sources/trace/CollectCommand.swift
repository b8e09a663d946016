import ArgumentParser
import Foundation
import OTLP
import OTLPHTTP
import TraceIngest
import ServiceLifecycle

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OTLP/HTTP traces from any OpenTelemetry SDK and store them.",
        discussion: """
            Listens for POST /v1/traces (protobuf or JSON, optionally gzip) until Ctrl-C, then finishes \
            what it received and exits 0. Point an SDK at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (4318 is the OTLP/HTTP default).")
    var port = 4318

    @Option(help: ArgumentHelp("Largest request accepted, in MiB, after decompression.", valueName: "MiB"))
    var maxBodySize = 64

    @Option(help: ArgumentHelp("Also forward every accepted request to this OTLP/HTTP collector.", valueName: "url"))
    var otlpEndpoint: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
        guard (1...4096).contains(maxBodySize) else { throw ValidationError("--max-body-size must be from 1 to 4096 MiB") }
        if let otlpEndpoint, let problem = OTLPEndpoint.validate(otlpEndpoint) { throw ValidationError("--otlp-endpoint: \(problem)") }
    }

    func run() async throws {
        try await database.withStoreForWriting { store in
            let statistics = IngestStatistics()
            let forwarder = otlpEndpoint.map { OTLPForwarder(endpoint: $0, statistics: statistics) }
            let ingestor = TraceIngestor(store: store, forwarder: forwarder, statistics: statistics, maxBodyBytes: maxBodySize << 20)
            let receiver = OTLPReceiver.buildApplication(
                configuration: .init(host: host, port: port, maxBodyBytes: maxBodySize << 20), ingestor: ingestor, logger: .quiet,
                onServerRunning: { [host, path = store.path] port in
                    Terminal.printNote("listening on http://\(host):\(port)/v1/traces, storing in \(path); Ctrl-C to stop")
                })
            let group = ServiceGroup(configuration: .init(
                services: ([forwarder].compactMap { $0 } as [any Service]) + [receiver].map { $0 as any Service },
                gracefulShutdownSignals: [.sigint, .sigterm], logger: .quiet))
            do {
                try await group.run()
            } catch {
                throw UserFacingError.wrapping(error, listeningOn: "\(host):\(port)")
            }
            let totals = statistics.snapshot
            var summary = "stopped: requests \(totals.requestsAccepted) accepted"
            if totals.requestsRejected > 0 { summary += ", \(totals.requestsRejected) rejected" }
            summary += "; spans \(totals.spansStored) stored"
            if totals.spansDuplicate > 0 { summary += ", \(totals.spansDuplicate) duplicates ignored" }
            if let forwarder { summary += "; forwarded \(totals.requestsForwarded) to \(forwarder.endpoint), \(totals.forwardFailures) failed" }
            Terminal.printNote(summary)
        }
    }
}
