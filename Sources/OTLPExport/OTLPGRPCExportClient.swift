import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OTLP
import SwiftProtobuf
import TraceModel

/// Pushes requests to an OTLP/gRPC collector (`TraceService`, `LogsService`, `MetricsService/Export`), one call per request, retrying
/// as the OTLP specification says for gRPC: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
/// UNAVAILABLE and DATA_LOSS after an exponential backoff; RESOURCE_EXHAUSTED only when the
/// collector sent RetryInfo, after the delay it asked for.
public final class OTLPGRPCExportClient: OTLPExporting {
    public let endpoint: String
    public let encoding = OTLPContentType.protobuf
    private let configuration: OTLPExportClient.Configuration
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let connections: Task<Void, any Error>
    private let sleep: @Sendable (Duration) async throws -> Void
    private let onRetry: @Sendable (_ problem: String, _ wait: Duration) -> Void

    /// `endpoint` is `http://host:port` (the SDKs' form for gRPC; https is not supported here).
    public init(endpoint: String, configuration: OTLPExportClient.Configuration = .init(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                onRetry: @escaping @Sendable (_ problem: String, _ wait: Duration) -> Void = { _, _ in }) throws {
        guard let url = URL(string: endpoint), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            throw OTLPExportClient.ExportError(description: "'\(endpoint)' is not an http://host:port address for OTLP/gRPC")
        }
        let port = url.port ?? 4317
        self.endpoint = "http://\(host):\(port)"
        self.configuration = configuration
        self.sleep = sleep
        self.onRetry = onRetry
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: host, port: port), transportSecurity: .plaintext,
            config: .defaults { $0.http2.maxFrameSize = 1 << 20; $0.http2.targetWindowSize = 8 << 20 })
        let client = GRPCClient(transport: transport)
        self.client = client
        connections = Task { try await client.runConnections() }
    }

    static let retryable: Set<RPCError.Code> = [.cancelled, .deadlineExceeded, .aborted, .outOfRange, .unavailable, .dataLoss]

    @discardableResult
    public func send(encodedRequest: Data, signal: Signal) async throws -> Int {
        let message = [UInt8](encodedRequest)
        var options = CallOptions.defaults
        options.timeout = .milliseconds(Int64(configuration.requestTimeout.nanoseconds / 1_000_000))
        return try await configuration.retrying(sleep: sleep, onRetry: onRetry) { [endpoint, client] in
            do {
                // The bytes go out as they are: forwarding never decodes and re-encodes a request.
                func export<Response: SwiftProtobuf.Message>(_ descriptor: MethodDescriptor, answeredWith: Response.Type) async throws {
                    try await client.unary(
                        request: ClientRequest(message: message), descriptor: descriptor,
                        serializer: EncodedMessage(), deserializer: ProtobufDeserializer<Response>(), options: options) { response in
                            _ = try response.message // a refusal arrives here, as the response's error
                        }
                }
                switch signal {
                case .traces: try await export(Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor, answeredWith: ExportTraceServiceResponse.self)
                case .logs: try await export(Opentelemetry_Proto_Collector_Logs_V1_LogsService.Method.Export.descriptor, answeredWith: ExportLogsServiceResponse.self)
                case .metrics: try await export(Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.Method.Export.descriptor, answeredWith: ExportMetricsServiceResponse.self)
                }
                return .sent
            } catch let error as RPCError {
                if error.code == .unavailable, let cause = socketError(under: error) {
                    return .retry(problem: "cannot reach \(endpoint): \(String(cString: strerror(cause.errnoCode)))", after: nil)
                }
                let problem = "\(endpoint) answered \(error.code)" + (error.message.isEmpty ? "" : ": \(error.message)")
                    + OTLPEndpoint.portHint(endpoint, sending: .grpc)
                if error.code == .resourceExhausted, let asked = Self.retryDelay(in: error.metadata) { return .retry(problem: problem, after: asked) }
                guard Self.retryable.contains(error.code) else { throw OTLPExportClient.ExportError(description: problem) }
                return .retry(problem: problem, after: nil)
            }
        }
    }

    public func shutdown() async throws {
        client.beginGracefulShutdown()
        try await connections.value
    }

    /// google.rpc.RetryInfo's delay, from the google.rpc.Status a server puts in the
    /// `grpc-status-details-bin` trailer; nil when there is none.
    static func retryDelay(in metadata: Metadata) -> Duration? {
        for bytes in metadata[binaryValues: "grpc-status-details-bin"] {
            guard let status = try? StatusDetails(serializedBytes: bytes) else { continue }
            for detail in status.details where detail.typeURL.hasSuffix("/google.rpc.RetryInfo") {
                guard let delay = try? RetryInfo(serializedBytes: detail.value).retryDelay else { continue }
                return .seconds(delay.seconds) + .nanoseconds(Int64(delay.nanos))
            }
        }
        return nil
    }
}

/// A request message already in protobuf.
private struct EncodedMessage: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// google.rpc.RetryInfo (google/rpc/error_details.proto): one field, `retry_delay = 1`.
struct RetryInfo: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    static let protoMessageName = "google.rpc.RetryInfo"
    static let _protobuf_nameMap: SwiftProtobuf._NameMap = [1: .same(proto: "retry_delay")]
    var retryDelay: Google_Protobuf_Duration?
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            if field == 1 { try decoder.decodeSingularMessageField(value: &retryDelay) }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if let retryDelay { try visitor.visitSingularMessageField(value: retryDelay, fieldNumber: 1) }
        try unknownFields.traverse(visitor: &visitor)
    }

    static func == (a: RetryInfo, b: RetryInfo) -> Bool { a.retryDelay == b.retryDelay }
}

/// The `details` of google.rpc.Status (field 3), which the committed status.proto leaves out.
struct StatusDetails: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    static let protoMessageName = "google.rpc.Status"
    static let _protobuf_nameMap: SwiftProtobuf._NameMap = [3: .same(proto: "details")]
    var details: [Google_Protobuf_Any] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            if field == 3 { try decoder.decodeRepeatedMessageField(value: &details) }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !details.isEmpty { try visitor.visitRepeatedMessageField(value: details, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }

    static func == (a: StatusDetails, b: StatusDetails) -> Bool { a.details == b.details }
}
