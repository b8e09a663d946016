import TraceModel
import TraceQL
import TraceSearch
import TraceStore
import TraceViews

/// A run's spans (or a whole file's), gathered as `trace compare` and `trace check` read them.
public enum RunSpans {
    /// Every span by operation (service and name), or by the value of a `{ } | by(field)` query's field.
    public static func side(in store: TraceStore, matching query: TraceQuery, grouping: TraceQLQuery? = nil) async throws -> RunComparison.Side {
        let parts: [RunComparison.Side]
        if let grouping {
            parts = try await TraceSearch(grouping, in: store).forEachMatch(among: query, start: { RunComparison.Side() }, add: { side, _, trace, spansets in
                side.traces += 1
                for spanset in spansets {
                    let label = spanset.group?.description ?? "nil"
                    for index in spanset.spans { side.add(operation: label, span: trace.spans[index]) }
                }
            })
        } else {
            parts = try await store.forEachTrace(matching: query, inParallel: 2, start: { RunComparison.Side() }, add: { side, trace in
                side.traces += 1
                for span in trace.spans { side.add(operation: "\(span.serviceName): \(span.name)", span: span) }
            })
        }
        return parts.reduce(into: RunComparison.Side()) { $0.merge($1) }
    }

    /// The durations of the spans a query matches, each span once however many spansets hold it.
    public static func matchedDurations(_ query: TraceQLQuery, in store: TraceStore, among base: TraceQuery) async throws -> [UInt64] {
        let parts = try await TraceSearch(query, in: store).forEachMatch(among: base, start: { [UInt64]() }, add: { durations, _, trace, spansets in
            var seen = Set<Int>()
            for spanset in spansets {
                for index in spanset.spans where seen.insert(index).inserted { durations.append(trace.spans[index].durationNanos) }
            }
        })
        return parts.flatMap { $0 }
    }
}
