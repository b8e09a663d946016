import OTLP
import Foundation
import NIOCore
import NIOFoundationCompat
import TraceModel
import TraceStore

/// Why a request was refused, mapped to its HTTP status by the receiver.
public enum IngestError: Error, Equatable {
    case badRequest(String)
    case tooLarge(limit: Int)
    case unsupportedMediaType(String)
}

extension IngestError {
    /// Why a compressed body or message was refused, in the words both transports answer with.
    public init(_ failure: GzipBody.Failure, limit: Int) {
        switch failure {
        case .tooLarge: self = .tooLarge(limit: limit)
        case .truncated: self = .badRequest("gzip body is truncated: the stream stops before its end")
        case .trailingBytes(let count): self = .badRequest("gzip body has \(count) bytes after the end of the stream")
        case .invalid(let reason): self = .badRequest("body is not valid gzip (\(reason))")
        }
    }
}

/// What became of one request: spans stored, already there, or rejected (and why, for the
/// response's `partial_success`).
public struct IngestOutcome: Equatable, Sendable {
    public var inserted = 0
    public var duplicates = 0
    public var rejectedSpans = 0
    /// The first rejected span's problem, with a count of the others.
    public var rejection: String?

    /// The OTLP answer: empty when everything was accepted, `partial_success` filled when not.
    public var response: ExportTraceServiceResponse {
        var response = ExportTraceServiceResponse()
        if rejectedSpans > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejectedSpans)
            response.partialSuccess.errorMessage = rejection ?? ""
        }
        return response
    }
}

/// Turns one OTLP request body into stored spans, then hands it to the forwarder if there is one.
public struct TraceIngestor: Sendable {
    public let store: TraceStore
    public let forwarder: OTLPForwarder?
    public let statistics: IngestStatistics
    public let maxBodyBytes: Int
    private let committer: SpanCommitter

    public init(store: TraceStore, forwarder: OTLPForwarder? = nil, statistics: IngestStatistics = IngestStatistics(), maxBodyBytes: Int = 64 << 20) {
        self.store = store
        self.forwarder = forwarder
        self.statistics = statistics
        self.maxBodyBytes = maxBodyBytes
        committer = SpanCommitter(store: store)
    }

    /// Stores spans already decoded and validated (`trace import`, or a transport's request),
    /// through the same encoding and commit queue as everything else.
    @discardableResult
    public func store(_ spans: [Span]) async throws -> InsertOutcome {
        guard !spans.isEmpty else { return InsertOutcome() }
        // Encoded here, on the caller's thread, while another request may be committing.
        let outcome = try await committer.commit(store.prepare(spans))
        statistics.update {
            $0.spansStored += outcome.inserted
            $0.spansDuplicate += outcome.duplicates
        }
        return outcome
    }

    /// Stores spans made in this process (`trace run`'s own tracer) and forwards them, as a request,
    /// if there is a forwarder.
    public func ingest(spans: [Span]) async throws {
        try await store(spans)
        forwarder?.enqueue(ExportTraceServiceRequest(spans: spans), arrivedAs: nil)
    }

    /// Decodes, validates and stores one request body (OTLP/HTTP, or an OTLP/gRPC request message
    /// its transport has inflated). A body that cannot be decoded stores nothing; spans with
    /// malformed ids are rejected one by one and the rest stored.
    @discardableResult
    public func ingest(body: ByteBuffer, contentType: OTLPContentType, gzipped: Bool) async throws -> IngestOutcome {
        let decoded: (spans: [Span], rejected: [OTLPDecodingError])
        var forwarding: (request: ExportTraceServiceRequest, body: (Data, OTLPContentType))?
        do {
            let data = try decompressed(body, gzipped: gzipped)
            let notProtobuf = IngestError.badRequest("body is not a protobuf ExportTraceServiceRequest")
            switch contentType {
            case .protobuf where forwarder == nil:
                // Nothing to forward: the body is read straight into spans, no messages built.
                do { decoded = try OTLPProtobufSpans.decodedSpans(from: data) } catch { throw notProtobuf }
            case .protobuf:
                let request: ExportTraceServiceRequest
                do { request = try ExportTraceServiceRequest(serializedBytes: data) } catch { throw notProtobuf }
                (decoded, forwarding) = (request.decodedSpans(), (request, (data, contentType)))
            case .json:
                let request: ExportTraceServiceRequest
                do { request = try OTLPJSON.decodeRequest(data) } catch let error as OTLPDecodingError {
                    throw IngestError.badRequest(error.description)
                }
                (decoded, forwarding) = (request.decodedSpans(), (request, (data, contentType)))
            }
        } catch let error as IngestError {
            statistics.update { $0.requestsRejected += 1 }
            throw error
        }
        return try await ingest(decoded, forwarding: forwarding)
    }

    /// Stores what a request decoded to, and forwards the request (with the body as it arrived)
    /// if there is a forwarder.
    private func ingest(_ decoded: (spans: [Span], rejected: [OTLPDecodingError]),
                        forwarding: (request: ExportTraceServiceRequest, body: (Data, OTLPContentType))?) async throws -> IngestOutcome {
        let (spans, rejected) = decoded
        var outcome = IngestOutcome(rejectedSpans: rejected.count)
        if let first = rejected.first {
            // A request none of whose spans could be used is malformed as a whole.
            guard !spans.isEmpty else {
                statistics.update { $0.requestsRejected += 1 }
                throw IngestError.badRequest(first.description + (rejected.count > 1 ? " (and \(rejected.count - 1) more spans like it)" : ""))
            }
            outcome.rejection = "\(rejected.count) of \(rejected.count + spans.count) spans rejected: \(first.description)"
        }
        let stored = try await store(spans)
        (outcome.inserted, outcome.duplicates) = (stored.inserted, stored.duplicates)
        statistics.update {
            $0.requestsAccepted += 1
            $0.spansRejected += rejected.count
        }
        if let forwarding { forwarder?.enqueue(forwarding.request, arrivedAs: forwarding.body) }
        return outcome
    }

    private func decompressed(_ body: ByteBuffer, gzipped: Bool) throws -> Data {
        guard gzipped else {
            guard body.readableBytes <= maxBodyBytes else { throw IngestError.tooLarge(limit: maxBodyBytes) }
            return Data(buffer: body)
        }
        do {
            return try GzipBody.inflate(body, limit: maxBodyBytes)
        } catch {
            throw IngestError(error, limit: maxBodyBytes)
        }
    }
}
