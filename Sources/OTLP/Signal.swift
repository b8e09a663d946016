/// The OTLP signal a request carries: what a receiver routes on and an exporter sends to.
public enum Signal: String, Sendable, CaseIterable {
    case traces, logs, metrics

    /// What one item of the signal is called in messages ("spans", "log records", "data points").
    public var itemName: String {
        switch self {
        case .traces: "spans"
        case .logs: "log records"
        case .metrics: "data points"
        }
    }

    /// The OTLP/HTTP path its requests are posted to.
    public var httpPath: String { "/v1/\(rawValue)" }
}
