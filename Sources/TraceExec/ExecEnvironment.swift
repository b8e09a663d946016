/// The OpenTelemetry SDK settings `trace exec` gives the program, so that an SDK left at its
/// defaults sends all three signals to `trace`; any of these the user has set is left as it is.
public enum ExecEnvironment {
    /// Each variable set, with why; the endpoint's value is filled in with the shared port.
    public static func variables(endpoint: String) -> [(name: String, value: String)] {
        [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            ("OTEL_EXPORTER_OTLP_INSECURE", "true"),
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED", "true"),
        ]
    }

    /// The names, for `--help`.
    public static var names: [String] { variables(endpoint: "").map(\.name) }

    /// `environment` with the settings it lacks added; also which were added and which the user had set.
    public static func applied(to environment: [String: String], endpoint: String)
        -> (environment: [String: String], set: [String], kept: [String]) {
        var result = environment
        var set: [String] = [], kept: [String] = []
        for (name, value) in variables(endpoint: endpoint) {
            if environment[name] == nil {
                result[name] = value
                set.append(name)
            } else {
                kept.append(name)
            }
        }
        return (result, set, kept)
    }
}
