import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceQL
import TraceSearch
import TraceStore

/// `log:severity` and `log:body`: the spans (and traces) with such a log record, in memory and
/// through a real file, where the log indexes narrow the traces first.
@Suite struct TraceQLLogFieldTests {
    /// Trace 1 logs INFO, WARN and ERROR (one a span); trace 2 only INFO; trace 3 nothing.
    func store() throws -> TraceStore {
        let store = try TraceStore.inMemory()
        try store.insert(sampleTrace(id: 1) + sampleTrace(id: 2) + sampleTrace(id: 3))
        try store.insert(sampleLogs(id: 1) + [sampleLogs(id: 2)[0]])
        return store
    }

    func matches(_ text: String, in store: TraceStore) async throws -> [UInt64] {
        let query = try TraceQLQuery(text)
        let found = try await TraceSearch(query, in: store).matchingTraces()
        var selection = TraceQuery()
        selection.within = found
        let ids = try store.traces(matching: selection).map(\.traceID.high)
        // The evaluator alone, on traces read with their records, finds the same.
        let all = try store.traces(withIDs: [1, 2, 3].map { sampleTrace(id: $0)[0].traceID }, details: SpanDetails(attributeKeys: nil, events: true, links: true, logs: true))
        let evaluated = all.filter { !TraceQLEvaluator(query).spansets(in: $0).isEmpty }.map(\.traceID.high)
        #expect(Set(ids) == Set(evaluated), "\(text)")
        return ids.sorted()
    }

    @Test func eachQueryFindsItsTraces() async throws {
        let store = try store()
        #expect(try await matches("{ log:severity >= warn }", in: store) == [1])
        #expect(try await matches("{ log:severity = info }", in: store) == [1, 2])
        #expect(try await matches("{ log:severity >= 9 }", in: store) == [1, 2])
        #expect(try await matches("{ log:severity < warn }", in: store) == [1, 2])
        #expect(try await matches("{ log:body =~ \"price.*timeout\" }", in: store) == [1])
        #expect(try await matches("{ log:body = \"request 2 started\" }", in: store) == [2])
        #expect(try await matches("{ log:body =~ \".*started\" }", in: store) == [1, 2])
        // The span, not just the trace: the WARN record was logged in `backend call`.
        #expect(try await matches("{ name = \"backend call\" && log:severity = warn }", in: store) == [1])
        #expect(try await matches("{ name = \"GET /\" && log:severity = warn }", in: store) == [])
        #expect(try await matches("{ log:severity = warn } > { log:severity = error }", in: store) == [1])
        // Negative: spans with no such record, which every trace has.
        #expect(try await matches("{ log:severity != error }", in: store) == [1, 2, 3])
    }

    @Test func theLogIndexesNarrowTheCandidates() throws {
        let store = try store()
        let severity = try TraceSearch(TraceQLQuery("{ log:severity >= warn }"), in: store).candidates()
        #expect(severity == .logs(minimumSeverity: 13, words: []))
        let body = try TraceSearch(TraceQLQuery("{ log:body =~ \"price.*\" }"), in: store).candidates()
        #expect(body == .logs(minimumSeverity: nil, words: ["price"]))
        let optional = try TraceSearch(TraceQLQuery("{ log:body =~ \"prices?\" }"), in: store).candidates()
        #expect(optional == .logs(minimumSeverity: nil, words: ["price"]), "a quantified last letter is not required")
        var narrowed = TraceQuery()
        narrowed.candidates = body
        #expect(try store.traces(matching: narrowed).map(\.traceID.high) == [1])
    }

    @Test func badLogComparisonsSayWhy() {
        #expect(throws: TraceQLSyntaxError.self) { try TraceQLQuery("{ log:severity > loud }") }
        #expect(throws: TraceQLSyntaxError.self) { try TraceQLQuery("{ log:severity = 30 }") }
        #expect(throws: TraceQLSyntaxError.self) { try TraceQLQuery("{ log:body > 3 }") }
    }
}
