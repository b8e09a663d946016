import OTLP
import OTLPExport
import SwiftProtobuf
import Foundation
import NIOCore
import NIOFoundationCompat
import TraceModel
import TraceStore

/// What became of one request: rows stored, already there, or rejected (and why, for the
/// response's `partial_success`).
public struct IngestOutcome: Equatable, Sendable {
    public var signal: Signal = .traces
    public var inserted = 0
    public var duplicates = 0
    /// Spans, log records or data points refused one by one (a malformed id) from a request whose others were stored.
    public var rejected = 0
    /// The first rejected item's problem, with a count of the others.
    public var rejection: String?

    public init(signal: Signal = .traces, inserted: Int = 0, duplicates: Int = 0, rejected: Int = 0, rejection: String? = nil) {
        self.signal = signal
        self.inserted = inserted
        self.duplicates = duplicates
        self.rejected = rejected
        self.rejection = rejection
    }

    /// The OTLP answer to a trace request: empty when everything was accepted, `partial_success` filled when not.
    public var traceResponse: ExportTraceServiceResponse {
        var response = ExportTraceServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejected)
            response.partialSuccess.errorMessage = rejection ?? ""
        }
        return response
    }

    /// The OTLP answer to a logs request.
    public var logsResponse: ExportLogsServiceResponse {
        var response = ExportLogsServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedLogRecords = Int64(rejected)
            response.partialSuccess.errorMessage = rejection ?? ""
        }
        return response
    }

    /// The OTLP answer to a metrics request.
    public var metricsResponse: ExportMetricsServiceResponse {
        var response = ExportMetricsServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedDataPoints = Int64(rejected)
            response.partialSuccess.errorMessage = rejection ?? ""
        }
        return response
    }
}

/// The one front door: every span, log record and metric point, from every receiver, file and in-process
/// tracer, is decoded, validated, stored and forwarded here.
public struct Ingestor: Sendable {
    public let store: TraceStore
    public let forwarder: OTLPForwarder?
    public let statistics: IngestStatistics
    /// The largest body accepted, after decompression; the transports read this one value.
    public let maxBodyBytes: Int
    private let committer: StoreCommitter
    private let health: StorageHealth

    /// `onStorage` hears when the storage stops taking rows (a full disk) and when it takes them again.
    public init(store: TraceStore, forwarder: OTLPForwarder? = nil, statistics: IngestStatistics = IngestStatistics(), maxBodyBytes: Int = 64 << 20,
                onStorage: @escaping @Sendable (StorageEvent) -> Void = { _ in }) {
        self.store = store
        self.forwarder = forwarder
        self.statistics = statistics
        self.maxBodyBytes = maxBodyBytes
        committer = StoreCommitter(store: store)
        health = StorageHealth(report: onStorage)
    }

    /// Decodes (if need be), validates and stores one request; returns once its rows are
    /// committed. A body that cannot be decoded stores nothing; items with malformed ids are
    /// rejected one by one and the rest stored.
    @discardableResult
    public func ingest(_ request: IngestRequest) async throws(IngestError) -> IngestOutcome {
        statistics.update { $0.requestsInFlight += 1 }
        defer { statistics.update { $0.requestsInFlight -= 1 } }
        do {
            switch request {
            case .spans(let spans):
                let outcome = try await store(spans: spans, rejected: [])
                forwarder?.enqueue(.traces, { ExportTraceServiceRequest(spans: spans) }, arrivedAs: nil)
                return outcome
            case .logRecords(let records):
                let outcome = try await store(logs: records, rejected: [])
                forwarder?.enqueue(.logs, { ExportLogsServiceRequest(records: records) }, arrivedAs: nil)
                return outcome
            case .metricPoints(let points):
                let outcome = try await store(metrics: points, rejected: [])
                forwarder?.enqueue(.metrics, { ExportMetricsServiceRequest(points: points) }, arrivedAs: nil)
                return outcome
            case .encoded(.traces, let body, let contentType, let gzipped):
                let (decoded, forwarding) = try decodeSpans(decompressed(body, gzipped: gzipped), contentType: contentType)
                let outcome = try await store(spans: decoded.spans, rejected: decoded.rejected)
                if let forwarding { forwarder?.enqueue(.traces, { forwarding.request }, arrivedAs: forwarding.body) }
                return outcome
            case .zipkin(let body, let gzipped):
                let decoded: (spans: [Span], rejected: [OTLPDecodingError])
                do { decoded = try ZipkinJSON.decodedSpans(from: decompressed(body, gzipped: gzipped)) } catch let error as OTLPDecodingError {
                    throw IngestError.badRequest(error.description)
                }
                let outcome = try await store(spans: decoded.spans, rejected: decoded.rejected)
                // Forwarded as OTLP, which is what the other end speaks.
                forwarder?.enqueue(.traces, { ExportTraceServiceRequest(spans: decoded.spans) }, arrivedAs: nil)
                return outcome
            case .encoded(.logs, let body, let contentType, let gzipped):
                let data = try decompressed(body, gzipped: gzipped)
                let request = try decodeLogs(data, contentType: contentType)
                let decoded = request.decodedLogRecords()
                let outcome = try await store(logs: decoded.records, rejected: decoded.rejected)
                forwarder?.enqueue(.logs, { request }, arrivedAs: (data, contentType))
                return outcome
            case .encoded(.metrics, let body, let contentType, let gzipped):
                let data = try decompressed(body, gzipped: gzipped)
                let decoded = try decodeMetrics(data, contentType: contentType)
                let outcome = try await store(metrics: decoded.points, rejected: decoded.rejected)
                forwarder?.enqueue(.metrics, { ExportMetricsServiceRequest(points: decoded.points) }, arrivedAs: (data, contentType))
                return outcome
            }
        } catch let error as IngestError {
            statistics.update { $0.requestsRejected += 1 }
            throw error
        } catch {
            statistics.update { $0.requestsRejected += 1 }
            if let problem = TraceStore.storageProblem(in: error) {
                health.refused(because: problem)
                throw .storageUnavailable(problem)
            }
            throw .storeFailed("\(error)")
        }
    }

    private func decodeSpans(_ data: Data, contentType: OTLPContentType) throws(IngestError)
        -> (decoded: (spans: [Span], rejected: [OTLPDecodingError]), forwarding: (request: ExportTraceServiceRequest, body: (Data, OTLPContentType))?) {
        let notProtobuf = IngestError.badRequest("body is not a protobuf ExportTraceServiceRequest")
        switch contentType {
        case .protobuf where forwarder == nil:
            // Nothing to forward: the body is read straight into spans, no messages built.
            do { return (try OTLPProtobufSpans.decodedSpans(from: data), nil) } catch { throw notProtobuf }
        case .protobuf:
            let request: ExportTraceServiceRequest
            do { request = try ExportTraceServiceRequest(serializedBytes: data) } catch { throw notProtobuf }
            return (request.decodedSpans(), (request, (data, contentType)))
        case .json:
            let request: ExportTraceServiceRequest
            do { request = try OTLPJSON.decodeRequest(data) } catch { throw .badRequest("\(error)") }
            return (request.decodedSpans(), (request, (data, contentType)))
        }
    }

    private func decodeMetrics(_ data: Data, contentType: OTLPContentType) throws(IngestError) -> (points: [MetricPoint], rejected: [OTLPDecodingError]) {
        switch contentType {
        case .protobuf:
            // Read straight into points, no messages built (a forwarder sends the body as it came, or builds one then).
            do { return try OTLPProtobufMetrics.decodedMetricPoints(from: data) } catch { throw .badRequest("body is not a protobuf ExportMetricsServiceRequest") }
        case .json:
            return try decode(data, contentType: contentType, as: ExportMetricsServiceRequest.self).decodedMetricPoints()
        }
    }

    private func decodeLogs(_ data: Data, contentType: OTLPContentType) throws(IngestError) -> ExportLogsServiceRequest {
        try decode(data, contentType: contentType, as: ExportLogsServiceRequest.self)
    }

    private func decode<Request: SwiftProtobuf.Message>(_ data: Data, contentType: OTLPContentType, as type: Request.Type) throws(IngestError) -> Request {
        switch contentType {
        case .protobuf:
            do { return try Request(serializedBytes: data) } catch {
                throw .badRequest("body is not a protobuf \(String(describing: type).split(separator: "_").last ?? "")")
            }
        case .json:
            do { return try OTLPJSON.decode(data, as: type) } catch { throw .badRequest("\(error)") }
        }
    }

    /// Stores a request's valid spans; a request none of whose spans could be used is malformed as a whole.
    private func store(spans: [Span], rejected: [OTLPDecodingError]) async throws -> IngestOutcome {
        // Encoded here, on the caller's thread, while another request may be committing.
        try await store(.traces, kept: spans.count, rejected: rejected) { try await committer.commit(store.prepare(spans)) }
    }

    private func store(logs records: [LogRecord], rejected: [OTLPDecodingError]) async throws -> IngestOutcome {
        try await store(.logs, kept: records.count, rejected: rejected) { try await committer.commit(store.prepare(records)) }
    }

    private func store(metrics points: [MetricPoint], rejected: [OTLPDecodingError]) async throws -> IngestOutcome {
        try await store(.metrics, kept: points.count, rejected: rejected) { try await committer.commit(store.prepare(points)) }
    }

    private func store(_ signal: Signal, kept: Int, rejected: [OTLPDecodingError], commit: () async throws -> InsertOutcome) async throws -> IngestOutcome {
        var outcome = try outcomeBeforeStoring(signal, kept: kept, rejected: rejected)
        if kept > 0 {
            let stored = try await commit()
            (outcome.inserted, outcome.duplicates) = (stored.inserted, stored.duplicates)
            health.stored()
        }
        statistics.update { $0.count(outcome) }
        return outcome
    }

    private func outcomeBeforeStoring(_ signal: Signal, kept: Int, rejected: [OTLPDecodingError]) throws(IngestError) -> IngestOutcome {
        var outcome = IngestOutcome(signal: signal, rejected: rejected.count)
        guard let first = rejected.first else { return outcome }
        guard kept > 0 else {
            throw .badRequest(first.description + (rejected.count > 1 ? " (and \(rejected.count - 1) more \(signal.itemName) like it)" : ""))
        }
        outcome.rejection = "\(rejected.count) of \(rejected.count + kept) \(signal.itemName) rejected: \(first.description)"
        return outcome
    }

    private func decompressed(_ body: ByteBuffer, gzipped: Bool) throws(IngestError) -> Data {
        guard gzipped else {
            guard body.readableBytes <= maxBodyBytes else { throw .tooLarge(limit: maxBodyBytes) }
            return Data(buffer: body)
        }
        do {
            return try GzipBody.inflate(body, limit: maxBodyBytes)
        } catch {
            throw IngestError(error, limit: maxBodyBytes)
        }
    }
}

extension IngestStatistics.Snapshot {
    /// An accepted request's counts, under its signal's names.
    mutating func count(_ outcome: IngestOutcome) {
        requestsAccepted += 1
        switch outcome.signal {
        case .traces:
            spansStored += outcome.inserted
            spansDuplicate += outcome.duplicates
            spansRejected += outcome.rejected
        case .logs:
            logRecordsStored += outcome.inserted
            logRecordsDuplicate += outcome.duplicates
            logRecordsRejected += outcome.rejected
        case .metrics:
            metricPointsStored += outcome.inserted
            metricPointsDuplicate += outcome.duplicates
            metricPointsRejected += outcome.rejected
        }
    }
}
