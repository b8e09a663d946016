import Foundation
import TraceModel

/// `trace map` output: the services drawn as a tree of calls from where requests come in, for
/// people; Graphviz `dot` and JSON for programs.
public enum MapText {
    public static func render(_ map: ServiceMap, style: TextStyle) -> String {
        let d: (UInt64?) -> String = { $0.map { DurationFormat.string(nanos: $0) } ?? "-" }
        let services = map.services
        let calls = map.calls
        var lines = [style.bold("Service map") + " of \(counted(map.traceCount, "trace")): \(counted(services.count, "service")), "
            + "\(counted(calls.count, "kind of call", "kinds of call"))"]
        let callsFrom = Dictionary(grouping: calls, by: \.client)
        let byName = Dictionary(uniqueKeysWithValues: services.map { ($0.name, $0) })
        // Entry services first (most traces), then any service no call reaches.
        let called = Set(calls.map(\.server))
        let starts = services.filter { $0.entryTraces > 0 }.sorted { ($1.entryTraces, $0.name) < ($0.entryTraces, $1.name) }
            + services.filter { $0.entryTraces == 0 && !called.contains($0.name) }
        var drawn = Set<String>()
        func node(_ name: String) -> String {
            let service = byName[name]
            let errors = service.map { $0.errorSpans > 0 ? style.error(", \(counted($0.errorSpans, "error span"))") : "" } ?? ""
            return style.service(TerminalText.escaped(name), service: name)
                + style.dim(" (\(counted(service?.spans ?? 0, "span")) in \(counted(service?.traces ?? 0, "trace"))") + errors + style.dim(")")
        }
        // Depth first with an explicit stack; a service met again is named, not expanded.
        for start in starts {
            lines.append(node(start.name) + (start.entryTraces > 0 ? style.dim("  ← entry for \(counted(start.entryTraces, "trace"))") : ""))
            drawn.insert(start.name)
            var stack: [(call: ServiceMap.Call, prefix: String, last: Bool)] = (callsFrom[start.name] ?? []).reversed().enumerated().map { ($1, "", $0 == 0) }
            while let (call, prefix, last) = stack.popLast() {
                let errors = call.errors > 0 ? style.error(String(format: ", %.1f%% errors", call.errorRate * 100)) : ", no errors"
                let figures = "\(counted(call.count, "call"))\(errors); server p50 \(d(call.server50)) p99 \(d(call.server99)), "
                    + "network & queueing p50 \(d(call.network50)) p99 \(d(call.network99))"
                let seen = drawn.contains(call.server)
                lines.append(prefix + (last ? "└─▶ " : "├─▶ ") + (seen ? style.service(TerminalText.escaped(call.server), service: call.server) + style.dim(" (above)") : node(call.server)))
                lines.append(prefix + (last ? "    " : "│   ") + "  " + figures)
                guard !seen else { continue }
                drawn.insert(call.server)
                let next = callsFrom[call.server] ?? []
                stack += next.reversed().enumerated().map { ($1, prefix + (last ? "    " : "│   "), $0 == 0) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Graphviz: one node per service, one edge per kind of call, labelled with its figures.
    public static func dot(_ map: ServiceMap) -> String {
        /// A dot string; each line of `text` escaped, the lines joined with dot's `\n`.
        func quoted(_ text: String) -> String {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                TerminalText.escaped(String($0)).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            }
            return "\"" + lines.joined(separator: "\\n") + "\""
        }
        let d: (UInt64?) -> String = { $0.map { DurationFormat.string(nanos: $0) } ?? "-" }
        var lines = ["digraph services {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
        for service in map.services {
            var label = "\(service.name)\n\(counted(service.spans, "span")) in \(counted(service.traces, "trace"))"
            if service.errorSpans > 0 { label += "\n\(counted(service.errorSpans, "error span"))" }
            lines.append("  \(quoted(service.name)) [label=\(quoted(label))\(service.errorSpans > 0 ? ", color=red" : "")];")
        }
        for call in map.calls {
            let label = "\(counted(call.count, "call")), " + String(format: "%.1f%% errors", call.errorRate * 100)
                + "\nserver p50 \(d(call.server50)) p99 \(d(call.server99))\nnetwork p50 \(d(call.network50)) p99 \(d(call.network99))"
            lines.append("  \(quoted(call.client)) -> \(quoted(call.server)) [label=\(quoted(label))\(call.errors > 0 ? ", color=red" : "")];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Durations in milliseconds.
    public static func json(_ map: ServiceMap) throws -> Data {
        func ms(_ nanos: UInt64?) -> Any { nanos.map { Double($0) / 1e6 } ?? NSNull() }
        let object: [String: Any] = [
            "traces": map.traceCount,
            "services": map.services.map {
                ["name": $0.name, "traces": $0.traces, "entryTraces": $0.entryTraces, "spans": $0.spans, "errorSpans": $0.errorSpans]
            },
            "calls": map.calls.map {
                [
                    "client": $0.client, "server": $0.server, "calls": $0.count, "errors": $0.errors, "errorRate": $0.errorRate,
                    "serverP50Ms": ms($0.server50), "serverP99Ms": ms($0.server99),
                    "networkP50Ms": ms($0.network50), "networkP99Ms": ms($0.network99),
                ] as [String: Any]
            },
        ]
        return TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
    }
}
