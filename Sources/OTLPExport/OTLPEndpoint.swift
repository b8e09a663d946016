import Foundation

/// An OTLP/HTTP collector's address, as users give it on the command line.
public enum OTLPEndpoint {
    /// The URL to post traces to, following OTEL_EXPORTER_OTLP_ENDPOINT's rule for base URLs.
    public static func tracesURL(for endpoint: String) -> String {
        if endpoint.hasSuffix("/v1/traces") { return endpoint }
        return (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
    }

    /// Checks that an endpoint is an absolute http(s) URL with a host; the problem, or nil.
    public static func validate(_ endpoint: String) -> String? {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else { return "'\(endpoint)' is not an http:// or https:// URL with a host" }
        return nil
    }

    /// A hint for a failure when the endpoint's port is the other transport's well-known one
    /// (4317 for gRPC, 4318 for HTTP); empty otherwise.
    public static func portHint(_ endpoint: String, sending chosen: OTLPProtocol) -> String {
        switch (URL(string: endpoint)?.port, chosen) {
        case (4317, .httpProtobuf), (4317, .httpJSON): " (4317 is the OTLP/gRPC port: use --otlp-protocol grpc, or port 4318)"
        case (4318, .grpc): " (4318 is the OTLP/HTTP port: use --otlp-protocol http/protobuf, or port 4317)"
        default: ""
        }
    }
}
