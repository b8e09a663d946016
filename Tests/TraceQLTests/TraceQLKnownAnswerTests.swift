import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceQL
import TraceSearch
import TraceStore

/// Four hand-made traces, and what each query must find among them: in memory, and through a
/// real SQLite file with its attribute index written and not yet written.
@Suite struct TraceQLKnownAnswerTests {
    static let start: UInt64 = 1_700_000_000_000_000_000
    static let ms: UInt64 = 1_000_000

    /// `ok`: GET answered 200. `error`: POST answered 500, the backend span in error. `worker`: one
    /// internal span with typed attributes. `legacy`: a status code sent as a string.
    static let corpus: [String: Trace] = {
        func demo(_ id: UInt64, method: String, code: Int64, rootMs: UInt64, serverMs: UInt64, failed: Bool) -> Trace {
            let traceID = TraceID(high: id, low: 1)
            let root = Span(traceID: traceID, spanID: SpanID(id << 8 | 1), name: "incoming call", kind: .server,
                            startTimeUnixNano: start, endTimeUnixNano: start + rootMs * ms,
                            attributes: [Attribute("http.request.method", .string(method)), Attribute("http.response.status_code", .int(code))],
                            resource: frontendResource)
            let client = Span(traceID: traceID, spanID: SpanID(id << 8 | 2), parentSpanID: root.spanID, name: "backend call", kind: .client,
                              startTimeUnixNano: start + ms, endTimeUnixNano: start + (rootMs - 1) * ms,
                              attributes: [Attribute("http.response.status_code", .int(code)), Attribute("ratio", .double(0.25)),
                                           Attribute("tags", .array([.string("a"), .int(2), .bool(false)]))],
                              resource: frontendResource)
            let server = Span(traceID: traceID, spanID: SpanID(id << 8 | 3), parentSpanID: client.spanID, name: "GET /", kind: .server,
                              startTimeUnixNano: start + 2 * ms, endTimeUnixNano: start + (2 + serverMs) * ms,
                              events: [SpanEvent(timeUnixNano: start + 3 * ms, name: "handling request")],
                              status: failed ? SpanStatus(code: .error, message: "HTTP 500") : SpanStatus(code: .ok),
                              resource: backendResource)
            return Trace(traceID: traceID, spans: [root, client, server])
        }
        let worker = Resource(attributes: [Attribute("service.name", .string("worker")), Attribute("region", .string("eu"))])
        let cron = Span(traceID: TraceID(high: 3, low: 1), spanID: SpanID(0x301), name: "cron job", kind: .internal,
                        startTimeUnixNano: start, endTimeUnixNano: start + 2 * ms,
                        attributes: [Attribute("retries", .int(3)), Attribute("weight", .double(1.5)), Attribute("flag", .bool(true))],
                        resource: worker)
        let legacy = Span(traceID: TraceID(high: 4, low: 1), spanID: SpanID(0x401), name: "legacy", kind: .server,
                          startTimeUnixNano: start, endTimeUnixNano: start + ms,
                          attributes: [Attribute("http.response.status_code", .string("500"))],
                          resource: Resource(attributes: [Attribute("service.name", .string("legacy"))]))
        return [
            "ok": demo(1, method: "GET", code: 200, rootMs: 10, serverMs: 4, failed: false),
            "error": demo(2, method: "POST", code: 500, rootMs: 50, serverMs: 40, failed: true),
            "worker": Trace(traceID: cron.traceID, spans: [cron]),
            "legacy": Trace(traceID: legacy.traceID, spans: [legacy]),
        ]
    }()

    static let answers: [(String, Set<String>)] = [
        // Names, and the other intrinsics.
        ("{ name = \"backend call\" }", ["ok", "error"]),
        ("{ name != \"backend call\" }", ["ok", "error", "worker", "legacy"]),
        ("{ name > \"cron\" && name < \"incoming\" }", ["worker"]),
        ("{ name =~ \"back.*\" }", ["ok", "error"]),
        ("{ name =~ \"back\" }", []),
        ("{ name !~ \".*call\" }", ["ok", "error", "worker", "legacy"]),
        ("{ status = error }", ["error"]),
        ("{ status = ok }", ["ok"]),
        ("{ status != unset && kind = server }", ["ok", "error"]),
        ("{ status = unset && kind = internal }", ["worker"]),
        ("{ kind = client }", ["ok", "error"]),
        ("{ duration > 30ms }", ["error"]),
        ("{ duration <= 1ms }", ["legacy"]),
        ("{ duration = 4ms }", ["ok"]),
        ("{ trace:duration >= 50ms }", ["error"]),
        ("{ trace:duration < 2ms }", ["legacy"]),
        ("{ trace:rootService = \"worker\" }", ["worker"]),
        ("{ trace:rootName = \"incoming call\" }", ["ok", "error"]),
        ("{ event:name = \"handling request\" }", ["ok", "error"]),
        ("{ event:name != \"handling request\" }", ["ok", "error", "worker", "legacy"]),
        ("{ statusMessage = \"HTTP 500\" }", ["error"]),
        // Types: an int is not a string, ints and floats compare as numbers.
        ("{ span.http.response.status_code = 500 }", ["error"]),
        ("{ span.http.response.status_code = \"500\" }", ["legacy"]),
        ("{ span.http.response.status_code >= 500 }", ["error"]),
        ("{ span.http.response.status_code < 300 }", ["ok"]),
        ("{ span.http.response.status_code != 200 }", ["error"]),
        ("{ span.ratio = 0.25 }", ["ok", "error"]),
        ("{ span.ratio > 0.2 && span.ratio < 0.3 }", ["ok", "error"]),
        ("{ span.weight > 1 }", ["worker"]),
        ("{ span.retries = 3.0 }", ["worker"]),
        ("{ span.retries = \"3\" }", []),
        ("{ span.flag = true }", ["worker"]),
        ("{ span.flag != false }", ["worker"]),
        ("{ span.flag = false }", []),
        // Arrays: any element; != and !~ when none is.
        ("{ span.tags = \"a\" }", ["ok", "error"]),
        ("{ span.tags = 2 }", ["ok", "error"]),
        ("{ span.tags = false }", ["ok", "error"]),
        ("{ span.tags =~ \"[ab]\" }", ["ok", "error"]),
        ("{ span.tags != \"a\" }", []),
        ("{ span.tags != \"zz\" }", ["ok", "error"]),
        // nil: missing, or present.
        ("{ span.retries = nil }", ["ok", "error", "legacy"]),
        ("{ span.retries != nil }", ["worker"]),
        ("{ span.nothing.here = nil && name = \"cron job\" }", ["worker"]),
        // Scopes.
        ("{ resource.service.name = \"backend\" }", ["ok", "error"]),
        ("{ resource.service.name =~ \"front.*|leg.*\" }", ["ok", "error", "legacy"]),
        ("{ resource.service.name != \"frontend\" }", ["ok", "error", "worker", "legacy"]),
        ("{ resource.region = \"eu\" }", ["worker"]),
        ("{ span.region = \"eu\" }", []),
        ("{ .region = \"eu\" }", ["worker"]),
        ("{ .http.request.method = \"POST\" }", ["error"]),
        ("{ resource.http.request.method = \"POST\" }", []),
        ("{ .service.name = \"legacy\" }", ["legacy"]),
        // Selectors combined.
        ("{ kind = client } > { kind = server }", ["ok", "error"]),
        ("{ name = \"incoming call\" } > { name = \"GET /\" }", []),
        ("{ name = \"incoming call\" } >> { name = \"GET /\" }", ["ok", "error"]),
        ("{ resource.service.name = \"frontend\" && duration > 20ms } >> { status = error }", ["error"]),
        ("{ status = error } && { span.ratio = 0.25 }", ["error"]),
        ("{ name = \"cron job\" } || { name = \"legacy\" }", ["worker", "legacy"]),
        ("{ name = \"cron job\" } && { name = \"legacy\" }", []),
        ("({ name = \"cron job\" } || { kind = client }) && { status = ok }", ["ok"]),
        // The pipeline.
        ("{ } | count() > 2", ["ok", "error"]),
        ("{ } | count() = 1", ["worker", "legacy"]),
        ("{ kind = server } | avg(duration) > 20ms", ["error"]),
        ("{ } | max(duration) < 5ms", ["worker", "legacy"]),
        ("{ } | min(duration) >= 4ms", ["ok", "error"]),
        ("{ } | sum(span.http.response.status_code) > 600", ["error"]),
        ("{ } | avg(span.weight) = 1.5", ["worker"]),
        ("{ } | by(resource.service.name) | count() > 1", ["ok", "error"]),
        ("{ } | by(name) | count() > 1", []),
    ]

    @Test func everyQueryFindsItsTracesInMemory() throws {
        for (text, expected) in Self.answers {
            let evaluator = TraceQLEvaluator(try TraceQLQuery(text))
            let found = Set(Self.corpus.filter { !evaluator.matchedSpans(in: $0.value).isEmpty }.keys)
            #expect(found == expected, "\(text)")
        }
    }

    @Test(arguments: [true, false])
    func everyQueryFindsItsTracesInTheStore(indexWritten: Bool) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("t.db").path)
        for trace in Self.corpus.values { try await store.insert(trace.spans) }
        if indexWritten { try store.writePendingIndexes() }
        let names = Dictionary(uniqueKeysWithValues: Self.corpus.map { ($0.value.traceID, $0.key) })
        for (text, expected) in Self.answers {
            let search = TraceSearch(try TraceQLQuery(text), in: store)
            var query = TraceQuery()
            query.within = try await search.matchingTraces()
            let found = Set(try store.traceIDs(matching: query).compactMap { names[$0] })
            #expect(found == expected, "\(text)")
            query.within = try search.matchingTracesInOneReader()
            #expect(Set(try store.traceIDs(matching: query).compactMap { names[$0] }) == expected, "\(text), one reader")
        }
    }

    @Test func matchedSpansAreTheOnesTheLastSelectorKept() throws {
        let trace = try #require(Self.corpus["error"])
        func matched(_ text: String) throws -> [String] {
            TraceQLEvaluator(try TraceQLQuery(text)).matchedSpans(in: trace).map { trace.spans[$0].name }
        }
        #expect(try matched("{ kind = server }") == ["incoming call", "GET /"])
        #expect(try matched("{ kind = client } > { }") == ["GET /"])
        #expect(try matched("{ kind = client } >> { } || { name = \"incoming call\" }") == ["incoming call", "GET /"])
        #expect(try matched("{ status = error } && { kind = client }") == ["backend call", "GET /"])
        #expect(try matched("{ kind = server } | by(resource.service.name) | count() = 1").count == 2)
        let groups = TraceQLEvaluator(try TraceQLQuery("{ } | by(resource.service.name)")).spansets(in: trace)
        #expect(groups.map { $0.group?.description ?? "nil" } == ["frontend", "backend"])
        #expect(groups.map(\.spans.count) == [2, 1])
    }

    @Test func theIndexesNarrowTheCandidates() throws {
        let store = try TraceStore.inMemory()
        for trace in Self.corpus.values { try store.insert(trace.spans) }
        try store.writePendingIndexes()
        func candidates(_ text: String) throws -> TraceCandidates { try TraceSearch(try TraceQLQuery(text), in: store).candidates() }
        #expect(try candidates("{ span.http.response.status_code >= 500 }") == .attribute(key: "http.response.status_code", values: [.int(500)]))
        #expect(try candidates("{ name =~ \"back.*\" }") == .spanNames(["backend call"]))
        #expect(try candidates("{ span.never.seen = 1 }") == TraceCandidates.none)
        #expect(try candidates("{ status = error } && { duration > 30ms }") == .and([.errors, .traceDuration(min: 30_000_000, max: nil)]))
        #expect(try candidates("{ kind = client } || { name = \"legacy\" }") == .all)
        #expect(try candidates("{ span.tags != \"a\" }") == .all)
    }
}
