import ArgumentParser
import Foundation
import OTLP
import OTLPExport
import TraceModel
import TraceStore
import TraceViews

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Send stored traces to an OTLP collector (gRPC or HTTP), or write them as OTLP/JSON lines.",
        discussion: """
            --otlp-endpoint (or, without it and --output, $OTEL_EXPORTER_OTLP_ENDPOINT) pushes the traces \
            the filters select (all by default) to Jaeger, Tempo, an OpenTelemetry Collector or another \
            `trace collect`, whole traces per request, over OTLP/HTTP with protobuf, or as --otlp-protocol \
            (or $OTEL_EXPORTER_OTLP_PROTOCOL) says: grpc, http/protobuf or http/json. It waits as long as \
            the collector asks (429 or 503 with Retry-After; UNAVAILABLE, or RESOURCE_EXHAUSTED with \
            RetryInfo). --output writes one OTLP/JSON \
            ExportTraceServiceRequest per trace per line, each followed by an ExportLogsServiceRequest line \
            with the trace's log records if it has any (and, when no filter is given, the records of no \
            trace at the end), as the OpenTelemetry Collector's file exporter writes them; `trace import` \
            reads it back. The file appears only once it is complete. A collector is sent spans only.
            """)

    @OptionGroup var filters: TraceFilterOptions

    @OptionGroup(title: "To a collector") var collector: OTLPExportOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write OTLP/JSON lines to this file (- for standard output); an existing file is replaced.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Spans per request to the collector (whole traces, so a big trace may exceed it).", valueName: "spans"))
    var batchSize = 2000

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if collector.otlpEndpoint != nil, output != nil { throw ValidationError("give one of --otlp-endpoint URL and --output FILE, not both") }
        if output == nil {
            guard let (endpoint, source, _) = try destination() else {
                throw ValidationError("give --otlp-endpoint URL (or set OTEL_EXPORTER_OTLP_ENDPOINT) to send to a collector, or --output FILE")
            }
            try OTLPExportOptions.check(endpoint, for: try collector.exportProtocol(), source: source)
        }
        if let output, output.isEmpty { throw ValidationError("--output needs a file path") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() async throws {
        let store = try database.openForReading()
        defer { try? store.close() }
        let selection = try await filters.selection(in: store)
        let ids = try store.traceIDs(matching: selection)
        if let output {
            try write(ids, from: store, to: output, untracedLogs: selection == TraceQuery())
        } else if let (endpoint, _, exactURL) = try destination() {
            try await push(ids, from: store, to: endpoint, exactURL: exactURL)
        }
    }

    /// --otlp-endpoint, else the endpoint the SDKs' environment variables name; whether its path
    /// is to be kept as given (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), and where it came from.
    private func destination() throws -> (endpoint: String, source: String, exactURL: Bool)? {
        if let endpoint = collector.otlpEndpoint { return (endpoint, "--otlp-endpoint", false) }
        guard let (endpoint, source) = OTLPExporterEnvironment().tracesEndpoint(for: try collector.exportProtocol()) else { return nil }
        return (endpoint, source, source == "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    }

    /// A few hundred traces at a time, so memory stays flat on any number of them.
    private func chunks(_ ids: [TraceID]) -> [[TraceID]] {
        stride(from: 0, to: ids.count, by: 200).map { Array(ids[$0..<min($0 + 200, ids.count)]) }
    }

    private func push(_ ids: [TraceID], from store: TraceStore, to endpoint: String, exactURL: Bool) async throws {
        let progress = ProgressLine(total: ids.count, label: "traces exported")
        let onRetry: @Sendable (String, Duration) -> Void = { problem, wait in
            progress.finish()
            Terminal.printNote("\(problem); trying again in \(DurationFormat.string(wait))")
        }
        let client = try collector.exportProtocol().exporter(endpoint: endpoint, exactURL: exactURL, onRetry: onRetry)
        var sentTraces = 0, sentSpans = 0, requests = 0, retries = 0
        var batch: [Span] = [], batchTraces = 0
        func flush() async throws {
            guard !batch.isEmpty else { return }
            retries += try await client.send(batch)
            requests += 1
            sentTraces += batchTraces
            sentSpans += batch.count
            batch.removeAll()
            batchTraces = 0
            progress.update(sentTraces)
        }
        do {
            for chunk in chunks(ids) {
                for trace in try store.traces(withIDs: chunk) {
                    if !batch.isEmpty, batch.count + trace.spans.count > batchSize { try await flush() }
                    batch += trace.spans
                    batchTraces += 1
                }
            }
            try await flush()
        } catch {
            progress.finish()
            try? await client.shutdown()
            guard let error = error as? OTLPExportClient.ExportError else { throw error }
            throw UserFacingError("\(error.description); \(sentTraces) of \(ids.count) traces were exported before it")
        }
        progress.finish()
        try await client.shutdown()
        print("exported \(counted(sentTraces, "trace")) (\(counted(sentSpans, "span"))) to \(client.endpoint) in \(counted(requests, "request"))"
            + (retries > 0 ? "; \(counted(retries, "retry", "retries")) when the collector asked to wait" : ""))
    }

    private func write(_ ids: [TraceID], from store: TraceStore, to output: String, untracedLogs: Bool) throws {
        var spans = 0, logs = 0
        /// One OTLP/JSON line per trace (and one of its log records), handed to `write` a chunk at a time.
        func lines(_ write: (Data) throws -> Void) throws {
            for chunk in chunks(ids) {
                var data = Data()
                for trace in try store.traces(withIDs: chunk, details: .allWithLogs) {
                    data.append(try OTLPJSONLines.line(for: trace.spans))
                    spans += trace.spans.count
                    if !trace.logs.isEmpty { data.append(try OTLPJSONLines.line(for: trace.logs)) }
                    logs += trace.logs.count
                }
                try write(data)
            }
            guard untracedLogs else { return }
            let records = try store.logRecords(matching: LogQuery(withoutTrace: true, newestFirst: false)).map(\.record)
            for start in stride(from: 0, to: records.count, by: 2_000) {
                try write(try OTLPJSONLines.line(for: Array(records[start..<min(start + 2_000, records.count)])))
            }
            logs += records.count
        }
        if output == "-" {
            try lines { FileHandle.standardOutput.write($0) }
            return
        }
        let destination = URL(fileURLWithPath: output)
        let directory = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UserFacingError("cannot write \(output): directory \(directory.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
            throw UserFacingError("cannot write \(output): it is a directory")
        }
        // Written beside the destination and renamed into place, so a failure never leaves half a file.
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString.prefix(8)).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw UserFacingError("cannot write \(output): permission denied")
        }
        // Ctrl-C stops between chunks and takes the partial file away, as any other failure does.
        let interrupt = InterruptSignal(onInterrupt: {})
        do {
            try lines { data in
                guard !interrupt.wasFired else { throw UserFacingError("interrupted; \(output) was not written", exitCode: 130) }
                try handle.write(contentsOf: data)
            }
            try handle.close()
            if rename(temporary.path, destination.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? UserFacingError { throw error }
            throw UserFacingError("cannot write \(output): \(error.localizedDescription)")
        }
        Terminal.printNote("wrote \(counted(ids.count, "trace")) (\(counted(spans, "span"))" + (logs > 0 ? ", \(counted(logs, "log record"))" : "") + ") to \(output)")
    }
}
