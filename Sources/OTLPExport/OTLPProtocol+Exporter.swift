import OTLP

extension OTLPProtocol {
    /// The export client for this protocol: gRPC, or HTTP with protobuf or JSON bodies.
    /// `exactURL` keeps an HTTP endpoint's path as given (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
    public func exporter(endpoint: String, exactURL: Bool = false, configuration: OTLPExportClient.Configuration = .init(),
                         onRetry: @escaping @Sendable (_ problem: String, _ wait: Duration) -> Void = { _, _ in }) throws -> any OTLPExporting {
        switch self {
        case .grpc: try OTLPGRPCExportClient(endpoint: endpoint, configuration: configuration, onRetry: onRetry)
        case .httpProtobuf: OTLPExportClient(endpoint: endpoint, exactURL: exactURL, encoding: .protobuf, configuration: configuration, onRetry: onRetry)
        case .httpJSON: OTLPExportClient(endpoint: endpoint, exactURL: exactURL, encoding: .json, configuration: configuration, onRetry: onRetry)
        }
    }
}

extension OTLPProtocol {
    /// A forwarder to `endpoint` over this protocol: one attempt a request, each outcome told to `observer`.
    public func forwarder(to endpoint: String, observer: any ForwardingObserver) throws -> OTLPForwarder {
        OTLPForwarder(exporter: try exporter(endpoint: endpoint, configuration: .forwarding), observer: observer)
    }
}
