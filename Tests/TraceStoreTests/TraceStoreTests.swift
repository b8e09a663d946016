import Foundation
import GRDB
import Testing
import TraceFixtures
import TraceModel
@testable import TraceStore

@Suite struct TraceStoreTests {
    @Test func storesEverythingAndReadsItBack() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("t.db").path
        let spans = sampleTrace(id: 1)
        let store = try TraceStore.openForWriting(path: path)
        #expect(try store.insert(spans) == InsertOutcome(inserted: 3, duplicates: 0))

        let reader = try TraceStore.openForReading(path: path)
        let trace = try #require(try reader.trace(spans[0].traceID))
        #expect(Set(trace.spans) == Set(spans))
        #expect(trace.spans.map(\.name) == ["incoming call", "backend call", "GET /"])
    }

    @Test func sameSpanTwiceIsStoredOnce() throws {
        let store = try TraceStore.inMemory()
        let spans = sampleTrace(id: 2)
        try store.insert(spans)
        #expect(try store.insert(spans) == InsertOutcome(inserted: 0, duplicates: 3))
        #expect(try store.totals() == StoreTotals(traces: 1, spans: 3))
        let summary = try #require(try store.traces(matching: TraceQuery()).first)
        #expect(summary.spanCount == 3)
    }

    @Test func aSpanRepeatedInsideOneBatchOfANewTraceCountsOnce() throws {
        let store = try TraceStore.inMemory()
        let spans = sampleTrace(id: 4, error: true)
        // The later copy of the root differs: the first copy wins, and the summary follows it.
        var laterRoot = spans[0]
        laterRoot.endTimeUnixNano += 1_000_000_000
        #expect(try store.insert(spans + [spans[1], laterRoot]) == InsertOutcome(inserted: 3, duplicates: 2))
        let summary = try #require(try store.traces(matching: TraceQuery()).first)
        #expect(summary.spanCount == 3)
        #expect(summary.errorCount == 2)
        #expect(summary.endTimeUnixNano == spans[0].endTimeUnixNano)
        #expect(try store.trace(summary.traceID)?.spans.count == 3)
    }

    @Test func aPruneByAnotherProcessDoesNotLeaveTheWriterPointingAtDeletedResources() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shared.db").path
        let collector = try TraceStore.openForWriting(path: path)
        try collector.insert(sampleTrace(id: 1))
        // `trace prune` in another process: its own connection deletes the trace and its resources.
        #expect(try TraceStore.openForWriting(path: path).prune(.allButNewest(count: 0)).traces == 1)
        #expect(try Int(sqlite(path, "SELECT count(*) FROM resources")) == 0)
        try collector.insert(sampleTrace(id: 2))
        let trace = try #require(try TraceStore.openForReading(path: path).trace(sampleTrace(id: 2)[0].traceID))
        #expect(Set(trace.spans) == Set(sampleTrace(id: 2)))
    }

    @Test func summaryIsRightWhenSpansArriveOutOfOrderInSeparateBatches() throws {
        let store = try TraceStore.inMemory()
        let spans = sampleTrace(id: 3, error: true)
        try store.insert([spans[2]])
        var summary = try #require(try store.traces(matching: TraceQuery()).first)
        #expect(summary.rootName == nil)
        try store.insert([spans[1]])
        try store.insert([spans[0]])
        summary = try #require(try store.traces(matching: TraceQuery()).first)
        #expect(summary.rootName == "incoming call")
        #expect(summary.rootService == "frontend")
        #expect(summary.startTimeUnixNano == spans[0].startTimeUnixNano)
        #expect(summary.endTimeUnixNano == spans[0].endTimeUnixNano)
        #expect(summary.spanCount == 3)
        #expect(summary.errorCount == 2)
        #expect(summary.services == ["backend", "frontend"])
    }

    @Test func listingFiltersAndOrders() throws {
        let store = try TraceStore.inMemory()
        let base: UInt64 = 1_700_000_000_000_000_000
        try store.insert(sampleTrace(id: 10, start: base, rootNanos: 10_000_000))
        try store.insert(sampleTrace(id: 11, start: base + 1_000_000_000, rootNanos: 50_000_000, error: true))
        try store.insert(sampleTrace(id: 12, start: base + 2_000_000_000, rootNanos: 20_000_000))
        try store.insert([Span(traceID: TraceID(high: 13, low: 1), spanID: SpanID(1), name: "lonely", startTimeUnixNano: base + 3_000_000_000,
                               endTimeUnixNano: base + 3_000_000_100, resource: Resource(attributes: [Attribute("service.name", .string("other"))]))])

        func ids(_ query: TraceQuery) throws -> [UInt64] { try store.traces(matching: query).map(\.traceID.high) }
        #expect(try ids(TraceQuery()) == [13, 12, 11, 10])
        #expect(try ids(TraceQuery(order: .duration)) == [11, 12, 10, 13])
        #expect(try ids(TraceQuery(limit: 2)) == [13, 12])
        #expect(try ids(TraceQuery(service: "backend")) == [12, 11, 10])
        #expect(try ids(TraceQuery(nameContains: "lone")) == [13])
        #expect(try ids(TraceQuery(minDurationNanos: 20_000_000)) == [12, 11])
        #expect(try ids(TraceQuery(maxDurationNanos: 15_000_000)) == [13, 10])
        #expect(try ids(TraceQuery(errorsOnly: true)) == [11])
        #expect(try ids(TraceQuery(startedAtOrAfterUnixNano: base + 1_500_000_000)) == [13, 12])
    }

    @Test func resolvesTraceIDPrefixes() throws {
        let store = try TraceStore.inMemory()
        try store.insert(sampleTrace(id: 0xAB01))
        try store.insert(sampleTrace(id: 0xAB02))
        let first = TraceID(high: 0xAB01, low: 0xABCDEF).hex
        #expect(try store.traceIDs(withPrefix: "0000000000").count == 2)
        #expect(try store.traceIDs(withPrefix: String(first.prefix(16))) == [TraceID(high: 0xAB01, low: 0xABCDEF)])
        #expect(try store.traceIDs(withPrefix: first.uppercased()) == [TraceID(high: 0xAB01, low: 0xABCDEF)])
        #expect(try store.traceIDs(withPrefix: "ff").isEmpty)
        // A 64-bit (Zipkin) id is stored padded: its 16 digits find it, as the low half.
        let zipkin = TraceID(high: 0, low: 0x5af7_183f_b1d4_cf5f)
        try store.insert(sampleTrace(id: 1).map { span in
            Span(traceID: zipkin, spanID: span.spanID, parentSpanID: span.parentSpanID, name: span.name,
                 startTimeUnixNano: span.startTimeUnixNano, endTimeUnixNano: span.endTimeUnixNano)
        })
        #expect(try store.traceIDs(withPrefix: "5af7183fb1d4cf5f") == [zipkin])
        #expect(try store.traceIDs(withPrefix: "5af7183fb1d4cf5").isEmpty, "only a whole 64-bit id is taken as one")
    }

    @Test func readingAMissingFileCreatesNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("missing.db").path
        #expect(throws: TraceStoreError.missing(path: path)) { try TraceStore.openForReading(path: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func refusesFilesThatAreNotTraceDatabases() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: TraceStoreError.notATraceDatabase(path: text)) { try TraceStore.openForReading(path: text) }
        #expect(throws: TraceStoreError.notATraceDatabase(path: text)) { try TraceStore.openForWriting(path: text) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: text)) == Data(String(repeating: "not a database\n", count: 100).utf8))

        let other = directory.appendingPathComponent("other.db").path
        try sqlite(other, "CREATE TABLE people (name TEXT);")
        #expect(throws: TraceStoreError.notATraceDatabase(path: other)) { try TraceStore.openForWriting(path: other) }
        #expect(try sqlite(other, "SELECT name FROM sqlite_master WHERE type = 'table';") == "people")
    }

    @Test func everyStringIsKeptByteForByteNULIncluded() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nul.db").path
        let traceID = TraceID(high: 0x5, low: 0x0)
        func nul(_ text: String) -> String { text + "\u{0}" + text.uppercased() }
        // Two scopes and two services that differ only after the NUL must stay two.
        let spans = (1...2).map { n in
            Span(traceID: traceID, spanID: SpanID(UInt64(n)), parentSpanID: n == 1 ? nil : SpanID(1), traceState: nul("k=v\(n)"), name: nul("name\(n)"),
                 startTimeUnixNano: 1_000 + UInt64(n), endTimeUnixNano: 2_000,
                 attributes: [Attribute(nul("key"), .string(nul("value")))],
                 events: [SpanEvent(timeUnixNano: 1_500, name: nul("event"))],
                 status: SpanStatus(code: .error, message: nul("message")),
                 resource: Resource(attributes: [Attribute("service.name", .string(nul("service\(n)")))], schemaURL: nul("schema")),
                 scope: InstrumentationScope(name: nul("scope\(n)"), version: nul("1")))
        }
        try TraceStore.openForWriting(path: path).insert(spans)
        let store = try TraceStore.openForReading(path: path)
        #expect(try store.trace(traceID)?.spans == spans)
        let summary = try #require(try store.traces(matching: TraceQuery()).first)
        #expect(summary.services == [nul("service1"), nul("service2")])
        #expect(summary.rootName == nul("name1") && summary.rootService == nul("service1"))
        #expect(try sqlite(path, "SELECT count(*) FROM scopes") == "2")
        #expect(try sqlite(path, "SELECT count(*) FROM services") == "2")
    }

    @Test func aFileWhoseCreationWasCutShortIsRecognisedAsEmpty() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // What a kill -9 can leave: a 0-byte file, or GRDB's migrations table and nothing else.
        let zeroBytes = directory.appendingPathComponent("zero.db").path
        FileManager.default.createFile(atPath: zeroBytes, contents: Data())
        let migrationsOnly = directory.appendingPathComponent("migrations.db").path
        try sqlite(migrationsOnly, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);")
        for path in [zeroBytes, migrationsOnly] {
            #expect(try TraceStore.openForReading(path: path).totals() == StoreTotals(traces: 0, spans: 0), "\(path)")
            try TraceStore.openForWriting(path: path).insert(sampleTrace(id: 1))
            #expect(try TraceStore.openForReading(path: path).totals() == StoreTotals(traces: 1, spans: 3), "\(path)")
        }
        // A migrations table with something else beside it is still someone else's file.
        let other = directory.appendingPathComponent("other.db").path
        try sqlite(other, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); CREATE TABLE people (name TEXT);")
        #expect(throws: TraceStoreError.notATraceDatabase(path: other)) { try TraceStore.openForReading(path: other) }
    }

    @Test func refusesANewerSchema() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("future.db").path
        _ = try TraceStore.openForWriting(path: path)
        try sqlite(path, "INSERT INTO grdb_migrations VALUES ('v99-from-the-future');")
        #expect(throws: TraceStoreError.newerSchema(path: path, unknown: ["v99-from-the-future"])) { try TraceStore.openForReading(path: path) }
        #expect(throws: TraceStoreError.newerSchema(path: path, unknown: ["v99-from-the-future"])) { try TraceStore.openForWriting(path: path) }
    }

    @Test func writingIntoAMissingDirectoryFailsCleanly() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("no/such/dir/t.db").path
        #expect(throws: TraceStoreError.self) { try TraceStore.openForWriting(path: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func attributesAreQueryableWithPlainSQL() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("q.db").path
        try TraceStore.openForWriting(path: path).insert(sampleTrace(id: 5, error: true))
        let status = try sqlite(path, "SELECT value FROM span_attribute WHERE key = 'http.response.status_code';")
        #expect(status == "500")
        let service = try sqlite(path, "SELECT service_name FROM span JOIN resource ON resource.id = span.resource_id WHERE span.name = 'GET /';")
        #expect(service == "backend")
    }
}


@Suite struct TraceBrowsingQueryTests {
    func store() throws -> TraceStore {
        let store = try TraceStore.inMemory()
        let base: UInt64 = 1_700_000_000_000_000_000
        for id in UInt64(1)...30 { try store.insert(sampleTrace(id: id, start: base + id * 1_000_000_000, rootNanos: id * 1_000_000, error: id % 10 == 0)) }
        return store
    }

    @Test func pagesThroughTracesWithOffsets() throws {
        let store = try store()
        let page = try store.traces(matching: TraceQuery(limit: 5, offset: 10)).map(\.traceID.high)
        #expect(page == [20, 19, 18, 17, 16])
        #expect(try store.count(matching: TraceQuery(limit: 5)) == 30)
        #expect(try store.count(matching: TraceQuery(errorsOnly: true)) == 3)
    }

    @Test func textFilterMatchesIDsServicesNamesAndAttributeValues() throws {
        let store = try store()
        let id = TraceID(high: 7, low: 0xABCDEF)
        #expect(try store.traces(matching: TraceQuery(text: String(id.hex.prefix(16)))).map(\.traceID) == [id])
        #expect(try store.count(matching: TraceQuery(text: "backend")) == 30)
        #expect(try store.count(matching: TraceQuery(text: "incoming")) == 30)
        #expect(try store.count(matching: TraceQuery(text: "GET")) == 30)
        #expect(try store.count(matching: TraceQuery(text: "500")) == 3)
        #expect(try store.count(matching: TraceQuery(text: "no such thing")) == 0)
        #expect(try store.count(matching: TraceQuery(text: "%")) == 0)
    }

    @Test func findsWhereATraceSitsInAnOrder() throws {
        let store = try store()
        let id = TraceID(high: 25, low: 0xABCDEF)
        #expect(try store.position(of: id, in: TraceQuery()) == 5)
        #expect(try store.position(of: id, in: TraceQuery(order: .duration)) == 5)
        #expect(try store.position(of: id, in: TraceQuery(errorsOnly: true)) == nil)
        #expect(try store.position(of: TraceID(high: 20, low: 0xABCDEF), in: TraceQuery(errorsOnly: true)) == 1)
    }

    @Test func pruneDeletesWholeTracesAndUnusedResourcesThenShrinksTheFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("p.db").path
        let store = try TraceStore.openForWriting(path: path)
        let base: UInt64 = 1_700_000_000_000_000_000
        for id in UInt64(1)...400 { try store.insert(sampleTrace(id: id, start: base + id * 1_000_000_000)) }
        // A trace from another service, the oldest of all: its resource goes with it.
        let loner = Resource(attributes: [Attribute("service.name", .string("loner"))])
        try store.insert([Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: "solo", startTimeUnixNano: base, endTimeUnixNano: base + 5, resource: loner)])
        #expect(try Int(sqlite(path, "SELECT count(*) FROM resource")) == 3)

        #expect(try store.prune(.allButNewest(count: 100), dryRun: true) == PruneOutcome(traces: 301, spans: 901, remaining: 100))
        #expect(try store.totals().traces == 401)
        let size = { ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: path + $1)[.size] as? Int) ?? 0) } }
        let before = size()
        #expect(try store.prune(.allButNewest(count: 100)) == PruneOutcome(traces: 301, spans: 901, remaining: 100))
        try store.reclaimSpace()
        #expect(size() < before / 2)
        #expect(try store.traceIDs(matching: TraceQuery()).map(\.high) == Array((301...400).reversed()))
        #expect(try Int(sqlite(path, "SELECT count(*) FROM resource")) == 2)
        #expect(try Int(sqlite(path, "SELECT count(*) FROM span")) == 300)
        #expect(try store.totals() == StoreTotals(traces: 100, spans: 300))

        let cutoff = base + 351 * 1_000_000_000
        #expect(try store.prune(.startedBefore(unixNano: cutoff)) == PruneOutcome(traces: 50, spans: 150, remaining: 50))
        #expect(try store.traces(matching: TraceQuery(order: .start)).last?.traceID.high == 351)
        #expect(try store.prune(.startedBefore(unixNano: cutoff)) == PruneOutcome(traces: 0, spans: 0, remaining: 50))
    }

    @Test func parallelPartsVisitEveryTraceOnce() async throws {
        let store = try store()
        for parts in [1, 2, 3] {
            let seen = try await store.forEachTrace(matching: TraceQuery(errorsOnly: false), inParallel: parts, start: { [TraceID]() },
                                                    add: { $0.append($1.traceID) })
            #expect(seen.count == parts)
            #expect(seen.flatMap { $0 }.count == 30)
            #expect(Set(seen.flatMap { $0 }) == Set(try store.traceIDs(matching: TraceQuery())))
        }
        let errors = try await store.forEachTrace(matching: TraceQuery(errorsOnly: true), inParallel: 2, start: { 0 }, add: { count, _ in count += 1 })
        #expect(errors.reduce(0, +) == 3)
    }

    /// `close()` returns with the file standing alone, the index entries written, and the store
    /// unusable; a second close does nothing. A reader's close tidies what reading left.
    @Test func closingLeavesTheFileAloneAndIsFinal() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.db").path
        let writer = try TraceStore.openForWriting(path: path)
        for id in UInt64(1)...20 { try await writer.insert(sampleTrace(id: id)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["c.db", "c.db-shm", "c.db-wal"])
        try writer.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["c.db"])
        #expect(throws: (any Error).self) { try writer.totals() }
        try writer.close()
        // Everything written before the close is in the file itself, index included.
        #expect(try sqlite(path, "SELECT count(*) FROM traces") == "20")
        #expect(try sqlite(path, "SELECT count(*) > 0 FROM attribute_postings") == "1")
        let reader = try TraceStore.openForReading(path: path)
        #expect(try await reader.forEachTrace(matching: TraceQuery(), inParallel: 2, start: { 0 }, add: { count, _ in count += 1 }).reduce(0, +) == 20)
        try reader.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["c.db"])
    }

    /// Parallel reads split ids into ranges: each id in exactly one, also when there are fewer
    /// ids than parts (a file of one trace read in two parts crashed on that).
    @Test func partsCoverEveryIDOnce() {
        for ids in [1...1, 5...6, 1...40, -3...3, 100...1_000] as [ClosedRange<Int64>] {
            for count in 1...5 {
                let parts = (0..<count).map { TraceStore.part($0, of: count, ids) }
                #expect(parts.flatMap { Array($0) } == Array(ids), "\(ids) in \(count)")
                #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1)
            }
        }
    }

    /// A whole-file timing read goes through the spans table in storage order, in stretches; a
    /// narrower one trace by trace. Either way every selected trace arrives once, whole, with
    /// the spans `forEachTrace` reads, also when its spans lie in two stretches.
    @Test func timingsAreReadAsTheTracesAre() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("t.db").path)
        // Forty traces whose spans arrive interleaved, four traces at a time, in separate commits.
        var pending = (1...40).map { sampleTrace(id: UInt64($0), error: $0 % 7 == 0) }
        while !pending.isEmpty {
            let group = pending.prefix(4).indices
            for index in group { try await store.insert([pending[index].removeFirst()]) }
            pending.removeAll { $0.isEmpty }
        }
        struct Seen: Hashable { var spanID: SpanID, parent: SpanID?, service: String, name: String, kind: SpanKind, isError: Bool, start: UInt64, end: UInt64 }
        for query in [TraceQuery(), TraceQuery(errorsOnly: true), TraceQuery(service: "backend"), TraceQuery(limit: 5, order: .duration)] {
            var expected: [Set<Seen>] = []
            try store.forEachTrace(matching: query) { trace in
                expected.append(Set(trace.spans.map { Seen(spanID: $0.spanID, parent: $0.parentSpanID, service: $0.serviceName, name: $0.name, kind: $0.kind,
                                                           isError: $0.isError, start: $0.startTimeUnixNano, end: $0.endTimeUnixNano) }))
            }
            #expect(!expected.isEmpty)
            for parts in [1, 2, 3] {
                let read = try await store.forEachTraceTimings(matching: query, inParallel: parts, start: { [TraceTimings]() }, add: { $0.append($1) },
                                                                finish: { traces, names in
                    traces.map { trace in Set(trace.spans.map { Seen(spanID: $0.spanID, parent: $0.parentSpanID, service: names[$0.service], name: names[$0.name],
                                                                     kind: $0.kind, isError: $0.isError, start: $0.startTimeUnixNano, end: $0.endTimeUnixNano) }) }
                })
                func byFirstSpan(_ traces: [Set<Seen>]) -> [Set<Seen>] { traces.sorted { $0.map(\.spanID).min()! < $1.map(\.spanID).min()! } }
                #expect(byFirstSpan(read.flatMap { $0 }) == byFirstSpan(expected), "\(query) in \(parts) parts")
            }
        }
    }

    @Test func readsTracesByIDInTheOrderAsked() throws {
        let store = try TraceStore.inMemory()
        for id in UInt64(1)...3 { try store.insert(sampleTrace(id: id)) }
        let ids = [3, 1, 9].map { TraceID(high: UInt64($0), low: 0xABCDEF) }
        let traces = try store.traces(withIDs: ids)
        #expect(traces.map(\.traceID) == [ids[0], ids[1]])
        #expect(Set(traces[1].spans) == Set(sampleTrace(id: 1)))
    }

    @Test func readsAPageFromTheFarEndInReverse() throws {
        let store = try TraceStore.inMemory()
        let base: UInt64 = 1_700_000_000_000_000_000
        // Equal durations in pairs, so the tie-break on trace id must reverse too.
        for id in UInt64(1)...20 { try store.insert(sampleTrace(id: id, start: base + (id / 2) * 1_000_000, rootNanos: (id / 2 + 1) * 1_000_000)) }
        for order in TraceQuery.Order.allCases {
            let all = try store.traces(matching: TraceQuery(order: order)).map(\.traceID)
            var query = TraceQuery(limit: 6, order: order, offset: 3)
            query.fromTheEnd = true
            #expect(try store.traces(matching: query).map(\.traceID) == Array(all.reversed()[3..<9]))
        }
    }
}

/// The attribute index (`attribute_postings`), against a plain scan of the stored attributes.
@Suite struct AttributeIndexTests {
    func span(_ trace: UInt64, _ id: UInt64, _ attributes: [Attribute]) -> Span {
        Span(traceID: TraceID(high: 1, low: trace), spanID: SpanID(id), name: "op", startTimeUnixNano: 1_000 + trace, endTimeUnixNano: 2_000 + trace,
             attributes: attributes, resource: frontendResource)
    }

    /// The traces with `key=value`, found by scanning every span's attributes (the oracle); an
    /// array matches by any of its elements.
    func scanned(_ store: TraceStore, _ key: String, _ value: String) throws -> Set<TraceID> {
        var found = Set<TraceID>()
        func equal(_ attribute: AttributeValue) -> Bool {
            if case .array(let elements) = attribute { return elements.contains(where: equal) }
            return AttributeIndex.Value(attribute).map(AttributeIndex.Value.candidates(for: value).contains) == true
        }
        try store.forEachTrace(matching: TraceQuery(), details: true) { trace in
            if trace.spans.contains(where: { $0.attributes.contains { $0.key == key && equal($0.value) } }) {
                found.insert(trace.traceID)
            }
        }
        return found
    }

    func indexed(_ store: TraceStore, _ matches: [(String, String)]) throws -> Set<TraceID> {
        var query = TraceQuery()
        query.attributes = matches.map { AttributeMatch(key: $0.0, value: $0.1) }
        return Set(try store.traceIDs(matching: query))
    }

    /// Thousands of traces over many commits (chunks fill and roll over), spans of old traces
    /// arriving late, retries, every scalar type; then a prune that frees refs for reuse. With the
    /// index written every commit, every few commits, or never (the spans past it are read).
    @Test(arguments: [1, 250, Int.max])
    func answersEveryMatchAsAScanWouldThroughCommitsChunksAndPrunes(writingTheIndexEvery spans: Int) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("index.db").path)
        store.storeWriter.indexFlushSpans = spans
        store.storeWriter.indexFlushInterval = .seconds(3600)
        var random = SeededRandom(seed: 5)
        func attributes(_ trace: UInt64) -> [Attribute] {
            [Attribute("http.method", .string(["GET", "POST"].randomElement(using: &random)!)),
             Attribute("status", .int(trace % 7 == 0 ? 500 : 200)),
             Attribute("ratio", .double(trace % 3 == 0 ? 0.5 : 0.25)),
             Attribute("cached", .bool(trace % 2 == 0)),
             Attribute("user", .string("u\(trace % 50)")),
             Attribute("request.id", .int(Int64(trace))),  // a value a trace: too many to index
             Attribute("list", .array([.int(1)])),
             // One number sent as an integer by some spans and as a double by others: one index row.
             Attribute("whole", trace % 2 == 0 ? .int(1) : .double(1.0))]
        }
        for batch in 0..<30 {
            var spans: [Span] = []
            for n in 0..<100 {
                let trace = UInt64(batch * 100 + n + 1)
                spans.append(span(trace, 1, attributes(trace)))
                // A late span of an older trace, with a value that trace did not have yet.
                if trace > 500 { spans.append(span(trace - 500, 2 + trace, [Attribute("late", .bool(true)), Attribute("status", .int(503))])) }
            }
            try store.insert(spans)
            if batch % 10 == 0 { try store.insert(spans) } // a retried batch
        }
        let questions: [[(String, String)]] = [
            [("status", "500")], [("status", "503")], [("status", "200")], [("ratio", "0.5")], [("cached", "true")], [("cached", "false")],
            [("http.method", "POST")], [("user", "u7")], [("late", "true")], [("status", "500"), ("cached", "false")], [("nope", "x")], [("list", "1")], [("whole", "1")], [("whole", "1.0")],
            [("request.id", "1234")], [("request.id", "1234"), ("status", "200")],
        ]
        for question in questions {
            var expected = try scanned(store, question[0].0, question[0].1)
            for (key, value) in question.dropFirst() { expected.formIntersection(try scanned(store, key, value)) }
            #expect(try indexed(store, question) == expected, "\(question)")
        }
        #expect(try indexed(store, [("status", "500")]).count == 3_000 / 7 + 0)
        let unindexed = try store.writer.read { try String.fetchAll($0, sql: "SELECT k.key FROM unindexed_attribute_keys u JOIN attribute_keys k ON k.id = u.key_id") }
        #expect(unindexed == (spans < Int.max ? ["request.id"] : []))
        let rolledOver = try store.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM attribute_postings WHERE chunk > 0") ?? 0 }
        #expect((rolledOver > 0) == (spans < Int.max), "chunks rolled over")
        // What the writes kept up to date is what a rebuild from the spans gives.
        try store.writePendingIndexes()
        let incremental = try store.writer.read { try Row.fetchAll($0, sql: "SELECT key_id, value, trace_refs FROM attribute_postings ORDER BY 1, 2, chunk") }
        try store.writer.write { try AttributeIndex.rebuild(in: $0) }
        let rebuilt = try store.writer.read { try Row.fetchAll($0, sql: "SELECT key_id, value, trace_refs FROM attribute_postings ORDER BY 1, 2, chunk") }
        func decoded(_ rows: [Row]) -> [String: Set<Int64>] {
            rows.reduce(into: [:]) { $0["\($1[0] as Int64)|\($1[1] as DatabaseValue)", default: []].formUnion(AttributeIndex.refs(in: [UInt8]($1[2] as Data))) }
        }
        #expect(decoded(incremental) == decoded(rebuilt))
        // A prune frees the newest refs; traces stored after it reuse them and must not inherit
        // the deleted traces' attributes.
        try store.prune(.allButNewest(count: 0))
        try store.insert([span(90_001, 1, [Attribute("status", .int(201)), Attribute("request.id", .int(77))])])
        #expect(try indexed(store, [("status", "500")]).isEmpty)
        #expect(try indexed(store, [("status", "201")]) == [TraceID(high: 1, low: 90_001)])
        // The rebuild left `request.id` one value: indexed again, though the insert was prepared
        // while it was not (the writer must not take that batch's entries as they were made).
        #expect(try indexed(store, [("request.id", "77")]) == [TraceID(high: 1, low: 90_001)])
    }

    /// A file from before the index (v2) gets it built when it is opened.
    @Test func aV2FileGetsItsIndexBuiltOnOpening() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v2.db").path
        try TraceStore.openForWriting(path: path).insert(sampleTrace(id: 1, error: true) + sampleTrace(id: 2))
        // Back to v2: the index's table and its migration's record go.
        try sqlite(path, "DROP TABLE attribute_postings; DROP TABLE attribute_index_state; DROP TABLE unindexed_attribute_keys; DELETE FROM grdb_migrations WHERE identifier = 'v3'")
        let reopened = try TraceStore.openForReading(path: path)
        #expect(try indexed(reopened, [("http.response.status_code", "500")]) == [sampleTrace(id: 1)[0].traceID])
        #expect(try indexed(reopened, [("http.request.method", "GET")]).count == 2)
    }
}
