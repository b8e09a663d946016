import Foundation
import OTLP
import SwiftProtobuf
import TraceModel

/// Something that pushes OTLP requests of any signal to a collector, one request per call,
/// retrying as its transport's rules say: `OTLPExportClient` over HTTP, `OTLPGRPCExportClient` over gRPC.
public protocol OTLPExporting: Sendable {
    /// Where trace requests go, as printed to the user.
    var endpoint: String { get }
    /// How a request must be encoded for `send(encodedRequest:signal:)`.
    var encoding: OTLPContentType { get }
    /// Sends one Export…ServiceRequest of `signal`, already encoded as `encoding` says; returns how
    /// many retries it took.
    @discardableResult
    func send(encodedRequest: Data, signal: Signal) async throws -> Int
    func shutdown() async throws
}

extension OTLPExporting {
    /// Sends one ExportTraceServiceRequest, already encoded.
    @discardableResult
    public func send(encodedRequest: Data) async throws -> Int {
        try await send(encodedRequest: encodedRequest, signal: .traces)
    }

    /// Sends the spans in one request; returns how many retries it took.
    @discardableResult
    public func send(_ spans: [Span]) async throws -> Int {
        try await send(encodedRequest: encoded(ExportTraceServiceRequest(spans: spans)))
    }

    /// `request` (of any signal) in this exporter's encoding.
    public func encoded(_ request: some SwiftProtobuf.Message) throws -> Data {
        switch encoding {
        case .protobuf: try request.serializedData()
        case .json: try OTLPJSON.encode(request)
        }
    }
}

/// The OTLP transports a user can choose (`--otlp-protocol`, `OTEL_EXPORTER_OTLP_PROTOCOL`).
public enum OTLPProtocol: String, Sendable, CaseIterable {
    case grpc
    case httpProtobuf = "http/protobuf"
    case httpJSON = "http/json"

    /// The OpenTelemetry SDKs' default.
    public static let `default` = OTLPProtocol.httpProtobuf

    /// The choices, as help and error messages list them.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Where and how to export when the command line does not say, read from the environment
/// variables the OpenTelemetry SDKs read (the traces-specific one first).
public struct OTLPExporterEnvironment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables.filter { !$0.value.isEmpty }
    }

    /// The protocol an SDK would use here, and the variable that named it (nil for the default).
    public func exportProtocol() throws(Problem) -> (OTLPProtocol, source: String?) {
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = variables[name] else { continue }
            guard let chosen = OTLPProtocol(rawValue: value) else {
                throw Problem(description: "\(name) must be one of \(OTLPProtocol.names), got '\(value)'")
            }
            return (chosen, name)
        }
        return (.default, nil)
    }

    /// The traces endpoint an SDK would export to: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is,
    /// else OTEL_EXPORTER_OTLP_ENDPOINT (with /v1/traces added over HTTP); nil when neither is set.
    public func tracesEndpoint(for chosen: OTLPProtocol) -> (endpoint: String, source: String)? {
        if let exact = variables["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] { return (exact, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") }
        guard let base = variables["OTEL_EXPORTER_OTLP_ENDPOINT"] else { return nil }
        return (chosen == .grpc ? base : OTLPEndpoint.tracesURL(for: base), "OTEL_EXPORTER_OTLP_ENDPOINT")
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }
}
