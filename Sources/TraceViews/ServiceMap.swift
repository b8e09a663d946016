import TraceModel

/// The services in many traces and the calls between them: a call is a hop, a client span and the
/// server span it caused in another service.
public struct ServiceMap: Sendable {
    public struct Service: Sendable, Equatable {
        public var name: String
        public var traces = 0
        /// Traces whose root span is this service's: where requests come in.
        public var entryTraces = 0
        public var spans = 0
        public var errorSpans = 0
    }

    public struct Call: Sendable {
        public var client: String
        public var server: String
        public var count = 0
        /// Calls whose client or server span is an error.
        public var errors = 0
        var serverNanos: [UInt64] = []
        var networkNanos: [UInt64] = []

        mutating func add(client: Span, server: Span) {
            count += 1
            if client.isError || server.isError { errors += 1 }
            serverNanos.append(server.durationNanos)
            networkNanos.append(client.durationNanos > server.durationNanos ? client.durationNanos - server.durationNanos : 0)
        }

        public var errorRate: Double { count > 0 ? Double(errors) / Double(count) : 0 }
        /// Time in the server span.
        public var server50: UInt64? { Percentiles(serverNanos).value(at: 50) }
        public var server99: UInt64? { Percentiles(serverNanos).value(at: 99) }
        /// Client time outside the server span: on the wire and in queues.
        public var network50: UInt64? { Percentiles(networkNanos).value(at: 50) }
        public var network99: UInt64? { Percentiles(networkNanos).value(at: 99) }
    }

    public private(set) var traceCount = 0
    private var servicesByName: [String: Service] = [:]
    private var callsByPair: [Pair: Call] = [:]

    private struct Pair: Hashable, Sendable {
        var client: String
        var server: String
    }

    public init() {}

    public mutating func add(_ trace: Trace) {
        guard !trace.spans.isEmpty else { return }
        traceCount += 1
        let tree = TraceTree(trace)
        let spans = trace.spans
        for name in Set(spans.map(\.serviceName)) { servicesByName[name, default: Service(name: name)].traces += 1 }
        if let root = tree.roots.first { servicesByName[spans[root].serviceName]?.entryTraces += 1 }
        for (index, span) in spans.enumerated() {
            servicesByName[span.serviceName]?.spans += 1
            if span.isError { servicesByName[span.serviceName]?.errorSpans += 1 }
            for child in tree.children[index] where LatencyBreakdown.isHop(client: span, server: spans[child]) {
                let server = spans[child]
                guard server.serviceName != span.serviceName else { continue }
                let pair = Pair(client: span.serviceName, server: server.serviceName)
                // Changed in place: a copy taken out and put back would copy its samples each time.
                callsByPair[pair, default: Call(client: pair.client, server: pair.server)].add(client: span, server: server)
            }
        }
    }

    /// Services by name.
    public var services: [Service] { servicesByName.values.sorted { $0.name < $1.name } }

    /// Calls by client, then server.
    public var calls: [Call] { callsByPair.values.sorted { ($0.client, $0.server) < ($1.client, $1.server) } }
}
