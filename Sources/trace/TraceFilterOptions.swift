import ArgumentParser
import Foundation
import TraceQL
import TraceStore

/// The trace filters of `trace list`, shared by every command that reads a selection of traces.
struct TraceFilterOptions: ParsableArguments {
    @Option(help: "Only traces with a span from this service.")
    var service: String?

    @Option(help: ArgumentHelp("Only traces with a span whose name contains this text.", valueName: "text"))
    var name: String?

    @Option(help: ArgumentHelp("Only traces at least this long, e.g. 10ms.", valueName: "duration"))
    var minDuration: DurationArgument?

    @Option(help: ArgumentHelp("Only traces at most this long.", valueName: "duration"))
    var maxDuration: DurationArgument?

    @Option(name: .customLong("attribute"), help: ArgumentHelp(
        "Only traces with a span whose attribute key equals value (a number matches as text or number); repeat to require several.",
        valueName: "key=value"))
    var attributes: [String] = []

    @Flag(help: "Only traces with an error span.")
    var errors = false

    @Option(help: ArgumentHelp("Only traces that started within this long ago, e.g. 15m.", valueName: "duration"))
    var since: DurationArgument?

    @Option(name: .customLong("query"), help: ArgumentHelp(TraceQLArgument.help, valueName: "traceql"))
    var traceQLText: String?

    @OptionGroup var run: RunOption

    /// The --query, parsed; nil without one.
    func traceQL() throws -> TraceQLQuery? { try traceQLText.map(TraceQLArgument.parse) }

    /// The filters and the --query together: what the command reads.
    func selection(in store: TraceStore, limit: Int? = nil, order: TraceQuery.Order = .start) async throws -> TraceQuery {
        try await TraceQLArgument.selection(query(in: store, limit: limit, order: order), query: traceQL(), in: store)
    }

    func validate() throws {
        for attribute in attributes where !attribute.contains("=") || attribute.hasPrefix("=") {
            throw ValidationError("--attribute takes key=value, got '\(attribute)'")
        }
        if let minDuration, let maxDuration, minDuration.nanos > maxDuration.nanos {
            throw ValidationError("--min-duration is longer than --max-duration")
        }
    }

    /// The filters without the --query; a --run narrows them to the traces that started within it.
    func query(in store: TraceStore, limit: Int? = nil, order: TraceQuery.Order = .start) throws -> TraceQuery {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        var query = TraceQuery(
            limit: limit, service: service, nameContains: name, minDurationNanos: minDuration?.nanos, maxDurationNanos: maxDuration?.nanos,
            errorsOnly: errors, startedAtOrAfterUnixNano: since.map { now > $0.nanos ? now - $0.nanos : 0 }, order: order)
        query.attributes = attributes.map { pair in
            let cut = pair.firstIndex(of: "=")!
            return AttributeMatch(key: String(pair[..<cut]), value: String(pair[pair.index(after: cut)...]))
        }
        return try run.narrow(query, in: store)
    }
}
