import Foundation
import TraceModel
import TraceStore

/// `trace list --follow`: finds traces as they arrive and hands each over once, when it has
/// settled: its root span is in and no span joined it since the last look, or it has waited
/// `rootWait` for a root that never came. A trace's spans arrive in several exports (each service
/// sends its own), so a trace printed at first sight would show half of itself.
struct TraceFollower {
    let store: TraceStore
    let query: TraceQuery
    var rootWait: Duration = .seconds(5)
    private var cursor: ArrivalCursor
    /// Traces after the cursor seen but not handed over: their span count at the last look, and when first seen.
    private var waiting: [ArrivalCursor: (spans: Int, since: ContinuousClock.Instant)] = [:]
    /// Traces after the cursor already handed over (a later one may settle first).
    private var handedOver: Set<ArrivalCursor> = []
    /// Traces printed before following began, which may still gain spans and reappear.
    private var alreadyShown: Set<TraceID>

    init(store: TraceStore, query: TraceQuery, after cursor: ArrivalCursor, alreadyShown: Set<TraceID>) {
        self.store = store
        self.query = query
        self.cursor = cursor
        self.alreadyShown = alreadyShown
    }

    /// The traces that settled since the last call, in arrival order.
    mutating func poll(now: ContinuousClock.Instant = .now) throws -> [TraceSummary] {
        var settled: [TraceSummary] = []
        var stillWaiting: [ArrivalCursor: (spans: Int, since: ContinuousClock.Instant)] = [:]
        for (summary, place) in try store.traces(arrivedAfter: cursor, matching: query) where !handedOver.contains(place) {
            if alreadyShown.contains(summary.traceID) { handedOver.insert(place); continue }
            let seen = waiting[place]
            let steady = seen?.spans == summary.spanCount
            if (summary.rootName != nil && steady) || (seen.map { now - $0.since >= rootWait } ?? false) {
                settled.append(summary)
                handedOver.insert(place)
            } else {
                stillWaiting[place] = (summary.spanCount, seen?.since ?? now)
            }
        }
        waiting = stillWaiting
        // The cursor moves past everything handed over with nothing still waiting before it.
        let firstWaiting = waiting.keys.min()
        for place in handedOver.sorted() where firstWaiting.map({ place < $0 }) ?? true {
            cursor = max(cursor, place)
            handedOver.remove(place)
        }
        return settled
    }
}
