/// What each tool is, for a model: its name, when to use it, and its arguments.
public struct ToolDefinition: Sendable {
    public struct Argument: Sendable {
        public var name: String
        /// A JSON Schema type: string, integer, boolean.
        public var type: String
        public var description: String
    }

    public var name: String
    public var description: String
    public var arguments: [Argument]
    public var required: [String]
}

extension TraceTools {
    public static let definitions: [ToolDefinition] = [
        ToolDefinition(name: "list_services", description: """
            Every service in the trace file, busiest first: traces and spans it appears in, its error spans, \
            and how many traces it started. Start here to learn what the system is made of.
            """, arguments: [], required: []),
        ToolDefinition(name: "operation_stats", description: """
            Where the time goes, in numbers: per operation (service and span name, or per service, or per root \
            operation) the count, errors and error rate, p50/p90/p99/max duration and mean self time, and the \
            whole file's time along critical paths by service and network. The same numbers as `trace stats --json`. \
            Use it to find the slow or failing operation, then search_traces for examples of it.
            """, arguments: [
                .init(name: "by", type: "string", description: "name (default: service and span name), service, or root"),
                .init(name: "query", type: "string", description: "TraceQL: only the traces it matches; with | by(field), also the matched spans per value of the field"),
                .init(name: "limit", type: "integer", description: "operations listed (default 20)"),
            ], required: []),
        ToolDefinition(name: "search_traces", description: """
            Traces that match, newest first (or slowest first with order=duration): id, start, duration, spans, \
            errors, services, root operation. Filters combine; query is TraceQL as Grafana Tempo writes it, e.g. \
            { status = error }, { span.http.response.status_code >= 500 }, { name = "GET /" && duration > 20ms }. \
            A query that does not parse comes back as an error with a caret under the mistake.
            """, arguments: [
                .init(name: "query", type: "string", description: "TraceQL, e.g. { status = error }"),
                .init(name: "service", type: "string", description: "only traces with a span of this service"),
                .init(name: "name", type: "string", description: "only traces with a span whose name contains this"),
                .init(name: "min_duration", type: "string", description: "only traces at least this long, e.g. 20ms"),
                .init(name: "errors", type: "boolean", description: "only traces with an error span"),
                .init(name: "since", type: "string", description: "only traces that started within this long ago, e.g. 15m"),
                .init(name: "order", type: "string", description: "start (newest first, default) or duration (slowest first)"),
                .init(name: "limit", type: "integer", description: "traces listed (default 10)"),
            ], required: []),
        ToolDefinition(name: "trace_summary", description: """
            One trace in a few lines: duration, services, its errors, where its time went (each service's share \
            and the network's, along the critical path) and the critical path's longest segments, each with its \
            span id and share. No raw attributes: span_details has those.
            """, arguments: [
                .init(name: "trace_id", type: "string", description: "the trace id, or a unique prefix of it"),
                .init(name: "limit", type: "integer", description: "critical path segments listed (default 10)"),
            ], required: ["trace_id"]),
        ToolDefinition(name: "span_details", description: """
            One span whole: name, service, kind, timing, status, attributes, events and the log records written \
            inside it. The last step down from operation_stats → search_traces → trace_summary.
            """, arguments: [
                .init(name: "trace_id", type: "string", description: "the trace id, or a unique prefix of it"),
                .init(name: "span_id", type: "string", description: "16 hex digits, from trace_summary"),
            ], required: ["trace_id", "span_id"]),
        ToolDefinition(name: "compare", description: """
            Why one trace was slower (or faster) than usual: it against the median-duration trace of the same \
            root operation (or of the traces a TraceQL query matches), span by span along both critical paths: \
            the difference, the spans that explain most of it with their share, and the largest changes. The \
            same answer as `trace diff --against median`.
            """, arguments: [
                .init(name: "trace_id", type: "string", description: "the trace id, or a unique prefix of it"),
                .init(name: "query", type: "string", description: "TraceQL: take the median among the traces it matches instead"),
                .init(name: "limit", type: "integer", description: "changes listed (default 5)"),
            ], required: ["trace_id"]),
        ToolDefinition(name: "service_map", description: """
            Who calls whom: each service with its traces and spans, and each client→server call with its count, \
            error rate and p50/p99 of the server's time and of the network between them (as `trace map --json`).
            """, arguments: [], required: []),
    ]

    /// How an agent goes from the numbers to a cause, as a resource it can read first.
    public static let guide = """
        # Reading a trace file with `trace`

        Go from the whole to one span, and stop as soon as you have the answer:

        1. `operation_stats` — which operation is slow or failing (p99, error counts, self time), and how the
           time splits between services and the network along critical paths.
        2. `search_traces` — examples of it: a TraceQL `query` such as `{ name = "GET /checkout" && duration > 50ms }`
           or `{ status = error }`, `order` = duration for the slowest first.
        3. `trace_summary` — one of those traces: where its time went and its critical path, span by span;
           `compare` — what it did differently from a typical trace of the same operation.
        4. `span_details` — the span on that path that matters: its attributes, events and log records.

        `list_services` and `service_map` say what the system is made of and who calls whom. Every answer is
        small on purpose: lists stop at `limit` and say how many more there are.
        """
}
