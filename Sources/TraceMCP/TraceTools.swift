import Foundation
import TraceModel
import TraceQL
import TraceSearch
import TraceStore
import TraceViews

/// The trace file as tools a coding agent calls: each answer is JSON sized for a model's context
/// (a `limit` with a small default, totals and "more" counts rather than dumps), with the same
/// numbers `trace stats --json`, `trace list --json` and `trace show --critical-path` print.
public struct TraceTools: Sendable {
    /// A tool's refusal: a bad query (with its caret), an unknown id; sent back as a tool error.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public let store: TraceStore

    public init(store: TraceStore) { self.store = store }

    /// Runs the tool `name` with `arguments` (as the client sent them); the answer as JSON text.
    public func call(_ name: String, arguments: [String: ToolArgument]) async throws(Failure) -> String {
        do {
            switch name {
            case "list_services": return try await listServices()
            case "search_traces": return try await searchTraces(arguments)
            case "trace_summary": return try traceSummary(arguments)
            case "span_details": return try spanDetails(arguments)
            case "operation_stats": return try await operationStats(arguments)
            case "service_map": return try serviceMap(arguments)
            case "compare": return try await compare(arguments)
            default: throw Failure("no tool named '\(name)'; the tools are: " + Self.definitions.map(\.name).joined(separator: ", "))
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as TraceQLSyntaxError {
            throw Failure("query, \(error.description)\n" + error.caretLines.joined(separator: "\n"))
        } catch {
            throw Failure("\(error)")
        }
    }

    // MARK: Tools

    private func listServices() async throws -> String {
        var map = ServiceMap()
        try store.forEachTrace(matching: TraceQuery()) { map.add($0) }
        let services = map.services.sorted { ($1.spans, $0.name) < ($0.spans, $1.name) }
        return try json([
            "traces": map.traceCount,
            "services": services.map { service -> [String: Any] in
                ["name": service.name, "traces": service.traces, "spans": service.spans, "errorSpans": service.errorSpans, "entryTraces": service.entryTraces]
            },
        ])
    }

    private func searchTraces(_ arguments: [String: ToolArgument]) async throws -> String {
        let limit = try arguments.int("limit", default: 10, in: 1...100)
        var query = TraceQuery(limit: limit + 1, service: arguments.string("service"), nameContains: arguments.string("name"),
                               minDurationNanos: try arguments.duration("min_duration"), errorsOnly: arguments.bool("errors") ?? false,
                               order: arguments.string("order") == "duration" ? .duration : .start)
        if let since = try arguments.duration("since") {
            let now = UInt64(Date().timeIntervalSince1970 * 1e9)
            query.startedAtOrAfterUnixNano = now > since ? now - since : 0
        }
        if let text = arguments.string("query") {
            query.within = try await TraceSearch(try TraceQLQuery(text), in: store).matchingTraces(among: query)
        }
        let found = try store.traces(matching: query)
        let shown = Array(found.prefix(limit))
        var everything = query
        everything.limit = nil
        let total = found.count > limit ? try store.count(matching: everything) : shown.count
        let listed = try JSONSerialization.jsonObject(with: try TraceListText.json(shown))
        return try json(["traces": listed, "total": total, "more": total - shown.count,
                         "hint": "trace_summary with a traceId says where its time went"])
    }

    private func traceSummary(_ arguments: [String: ToolArgument]) throws -> String {
        let trace = try resolveTrace(arguments)
        let path = CriticalPath(trace: trace)
        let total = trace.durationNanos
        let spans = Dictionary(trace.spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
        let limit = try arguments.int("limit", default: 10, in: 1...200)
        let segments = path.segments.sorted { $0.nanos > $1.nanos }
        let errors = trace.spans.filter(\.isError)
        var byBucket: [TimeBucket: UInt64] = [:]
        for segment in path.segments { byBucket[segment.isNetwork ? .network : .service(segment.service), default: 0] += segment.nanos }
        return try json([
            "traceId": trace.traceID.hex,
            "start": Timestamp.rfc3339(unixNano: trace.startTimeUnixNano),
            "durationMs": ms(total),
            "spans": trace.spans.count,
            "services": Array(Set(trace.spans.map(\.serviceName))).sorted(),
            "errors": errors.prefix(5).map { ["spanId": $0.spanID.hex, "name": $0.name, "service": $0.serviceName, "message": $0.status.message] },
            "moreErrors": max(0, errors.count - 5),
            "whereTheTimeWent": byBucket.sorted { $0.value > $1.value }.map { bucket, nanos in
                ["bucket": bucket.label, "ms": ms(nanos), "share": share(nanos, of: total)] as [String: Any]
            },
            "criticalPath": segments.prefix(limit).map { segment -> [String: Any] in
                // A network segment is time a client span waited beyond its server's span: named after that client.
                var object: [String: Any] = ["service": segment.service, "ms": ms(segment.nanos), "share": share(segment.nanos, of: total),
                                             "spanId": segment.spanID.hex, "name": spans[segment.spanID]?.name ?? ""]
                if segment.isNetwork { object["network"] = true }
                return object
            },
            "moreCriticalPathSegments": max(0, segments.count - limit),
            "hint": "span_details with a spanId gives its attributes, events and log records",
        ])
    }

    private func spanDetails(_ arguments: [String: ToolArgument]) throws -> String {
        let trace = try resolveTrace(arguments, details: .allWithLogs)
        guard let spanHex = arguments.string("span_id"), let spanID = SpanID(hex: spanHex) else { throw Failure("span_id: 16 hex digits, from trace_summary") }
        guard let span = trace.spans.first(where: { $0.spanID == spanID }) else { throw Failure("no span \(spanHex) in trace \(trace.traceID.hex)") }
        let attributes = Dictionary(span.attributes.map { ($0.key, AttributeJSON.value($0.value)) }, uniquingKeysWith: { first, _ in first })
        let logs = trace.logs.filter { $0.spanID == spanID }
        return try json([
            "spanId": span.spanID.hex, "parentSpanId": span.parentSpanID?.hex ?? NSNull(), "name": span.name, "service": span.serviceName,
            "kind": span.kind.name, "startOffsetMs": ms(span.startTimeUnixNano - min(span.startTimeUnixNano, trace.startTimeUnixNano)),
            "durationMs": ms(span.durationNanos), "status": ["code": "\(span.status.code)", "message": span.status.message],
            "attributes": attributes,
            "events": span.events.prefix(20).map { ["name": $0.name, "offsetMs": ms($0.timeUnixNano - min($0.timeUnixNano, span.startTimeUnixNano))] },
            "logs": logs.prefix(20).map { LogText.jsonObject($0) },
            "moreLogs": max(0, logs.count - 20),
        ])
    }

    private func operationStats(_ arguments: [String: ToolArgument]) async throws -> String {
        let grouping = try arguments.string("by").map { text in
            guard let grouping = TraceStatistics.Grouping(rawValue: text) else { throw Failure("by: name, service or root, not '\(text)'") }
            return grouping
        } ?? .name
        let limit = try arguments.int("limit", default: 20, in: 1...500)
        let stats: TraceStatistics
        var groups: SpanGroupStatistics?
        if let text = arguments.string("query") {
            // As `trace stats --query`: the matching traces, and a `| by(field)` stage's groups of the spans it matched.
            let query = try TraceQLQuery(text)
            let field = query.grouping.map(\.description)
            let parts = try await TraceSearch(query, in: store).forEachMatch(
                among: TraceQuery(), start: { (TraceStatistics(grouping: grouping), field.map(SpanGroupStatistics.init)) },
                add: { part, _, trace, spansets in
                    part.0.add(trace)
                    for spanset in spansets where part.1 != nil {
                        part.1!.add(label: spanset.group?.description ?? "nil", spans: spanset.spans.map { trace.spans[$0] })
                    }
                }, finish: { $0.0.sortSamples() })
            stats = parts.reduce(into: TraceStatistics(grouping: grouping)) { $0.merge($1.0) }
            groups = parts.compactMap(\.1).reduce(into: nil as SpanGroupStatistics?) { total, part in
                if total == nil { total = part } else { total!.merge(part) }
            }
        } else {
            let parts = try await store.forEachTrace(matching: TraceQuery(), inParallel: 2, start: { TraceStatistics(grouping: grouping) },
                                                     add: { $0.add($1) }, finish: { $0.sortSamples() })
            stats = parts.reduce(into: TraceStatistics(grouping: grouping)) { $0.merge($1) }
        }
        guard var object = try JSONSerialization.jsonObject(with: StatsText.json(stats, groups: groups)) as? [String: Any] else { throw Failure("no statistics") }
        // The agent's view: the busiest operations; the histogram and hop details stay in `trace stats`.
        for key in ["operations", "rootOperations"] {
            let rows = (object[key] as? [[String: Any]] ?? []).map { row in
                var row = row
                if let count = row["count"] as? Int, count > 0, let errors = row["errors"] as? Int { row["errorRate"] = (Double(errors) / Double(count) * 1000).rounded() / 1000 }
                return row
            }
            object[key] = Array(rows.prefix(limit))
            object["more" + key.prefix(1).uppercased() + key.dropFirst()] = max(0, rows.count - limit)
        }
        object["histogram"] = nil
        object["hops"] = nil
        return try json(object)
    }

    /// A trace against the median-duration trace of its root operation (or of a query's matches), as `trace diff --against median`.
    private func compare(_ arguments: [String: ToolArgument]) async throws -> String {
        let trace = try resolveTrace(arguments)
        let median: (traceID: TraceID, among: Int)?
        if let text = arguments.string("query") {
            var query = TraceQuery()
            query.within = try await TraceSearch(try TraceQLQuery(text), in: store).matchingTraces(among: query)
            median = try store.medianTrace(matching: query)
        } else {
            median = try store.medianTrace(sameRootAs: trace.traceID)
        }
        guard let median else { throw Failure("no traces to take a median of: trace \(trace.traceID.hex) has no root operation, or the query matched none") }
        guard let baseline = try store.traces(withIDs: [median.traceID]).first else { throw Failure("trace \(median.traceID.hex) disappeared while reading") }
        let diff = TraceDiff(baseline, trace)
        let changed = diff.rows.filter { $0.contributionNanos != 0 }.sorted { abs($0.contributionNanos) > abs($1.contributionNanos) }
        let limit = try arguments.int("limit", default: 5, in: 1...100)
        func signedMs(_ nanos: Int64) -> Double { (Double(nanos) / 1e3).rounded() / 1e3 }
        let explained: [[String: Any]] = diff.explanation.map { row, share in
            ["name": row.span.name, "service": row.span.serviceName, "network": row.isNetwork,
             "criticalPathChangeMs": signedMs(row.contributionNanos), "shareOfDifference": (share * 1000).rounded() / 1000]
        }
        let largest: [[String: Any]] = changed.prefix(limit).map { row in
            ["name": row.span.name, "service": row.span.serviceName, "network": row.isNetwork, "criticalPathChangeMs": signedMs(row.contributionNanos),
             "inTrace": row.b != nil, "inMedian": row.a != nil]
        }
        var answer: [String: Any] = ["traceId": trace.traceID.hex, "medianTraceId": median.traceID.hex, "medianOf": median.among]
        answer["durationMs"] = ms(trace.durationNanos)
        answer["medianDurationMs"] = ms(baseline.durationNanos)
        answer["differenceMs"] = signedMs(diff.durationDeltaNanos)
        answer["explainedBy"] = explained
        answer["largestChanges"] = largest
        answer["moreChanges"] = max(0, changed.count - limit)
        return try json(answer)
    }

    private func serviceMap(_ arguments: [String: ToolArgument]) throws -> String {
        var map = ServiceMap()
        try store.forEachTrace(matching: TraceQuery()) { map.add($0) }
        return String(decoding: try MapText.json(map), as: UTF8.self)
    }

    // MARK: Helpers

    private func resolveTrace(_ arguments: [String: ToolArgument], details: SpanDetails = .all) throws -> Trace {
        guard let prefix = arguments.string("trace_id"), (1...32).contains(prefix.count), prefix.allSatisfy(\.isHexDigit) else {
            throw Failure("trace_id: 1 to 32 hex digits, from search_traces")
        }
        let matches = try store.traceIDs(withPrefix: prefix, limit: 2)
        guard let id = matches.first else { throw Failure("no trace \(prefix) in \(store.path); search_traces lists them") }
        guard matches.count == 1 || prefix.count == 32 else { throw Failure("'\(prefix)' matches more than one trace; give more digits") }
        guard let trace = try store.traces(withIDs: [id], details: details).first else { throw Failure("trace \(id.hex) disappeared while reading") }
        return trace
    }

    private func ms(_ nanos: UInt64) -> Double { (Double(nanos) / 1e3).rounded() / 1e3 }
    private func share(_ part: UInt64, of whole: UInt64) -> Double { whole > 0 ? (Double(part) / Double(whole) * 1000).rounded() / 1000 : 0 }

    private func json(_ object: [String: Any]) throws -> String {
        String(decoding: TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])), as: UTF8.self)
    }
}

/// A tool argument as the client sent it.
public enum ToolArgument: Sendable, Equatable {
    case string(String), int(Int), double(Double), bool(Bool)
}

extension [String: ToolArgument] {
    func string(_ key: String) -> String? {
        if case .string(let text) = self[key], !text.isEmpty { return text }
        return nil
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let flag) = self[key] { return flag }
        return nil
    }

    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(TraceTools.Failure) -> Int {
        let number: Int? = switch self[key] {
        case .int(let number): number
        case .double(let number) where number == number.rounded(): Int(number)
        case nil: value
        default: nil
        }
        guard let number, range.contains(number) else { throw TraceTools.Failure("\(key): a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return number
    }

    /// A duration as `trace` writes them (`250ms`, `1.5s`, `15m`).
    func duration(_ key: String) throws(TraceTools.Failure) -> UInt64? {
        guard let text = string(key) else { return nil }
        guard let nanos = DurationFormat.parse(text) else { throw TraceTools.Failure("\(key): a duration such as 250ms, 1.5s or 15m, not '\(text)'") }
        return nanos
    }
}
