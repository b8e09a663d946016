import GRDB
import TraceModel

extension TraceStore {
    /// `forEachTrace(inParallel:)` for what timing needs alone: each trace as `TraceTimings`, read
    /// from a few columns with no `Span` built, in no particular order (a whole-file `trace stats`
    /// is mostly this read). `finish` turns a part into what it stands for, with the read's names.
    public func forEachTraceTimings<Partial, Finished: Sendable>(
        matching query: TraceQuery, inParallel parts: Int, start: @escaping @Sendable () -> Partial,
        add: @escaping @Sendable (inout Partial, TraceTimings) -> Void, finish: @escaping @Sendable (consuming Partial, TimingNames) -> Finished
    ) async throws -> [Finished] {
        let count = max(1, parts)
        let plan = try await writer.read { db in try TimingReadPlan(query: query, in: db, dictionary: dictionary) }
        if !plan.scansSpans {
            // The plan has asked the indexes already: the parts take the traces it found.
            return try await readInParallel(matching: plan.narrowed ?? query, parts: count) { store, part in
                var partial = start()
                try store.writer.read { db in try plan.readJoined(part, db) { add(&partial, $0) } }
                return finish(partial, plan.names)
            }
        }
        // Each part reads a stretch of the spans table in storage order; the few traces with spans
        // in two stretches make one more part, of what the stretches left over.
        let scanned = try await inParallel(count) { store, index in
            var partial = start()
            let leftOver = try store.writer.read { db in try plan.scan(index, of: count, db) { add(&partial, $0) } }
            return Scanned(finished: finish(partial, plan.names), leftOver: leftOver)
        }
        var joined = start()
        for spans in Dictionary(scanned.flatMap(\.leftOver), uniquingKeysWith: +).values { add(&joined, TraceTimings(spans: spans)) }
        return scanned.map(\.finished) + [finish(joined, plan.names)]
    }

    private struct Scanned<Finished: Sendable>: Sendable {
        var finished: Finished
        var leftOver: [(Int64, [SpanTiming])]
    }
}

/// How a timing read goes: the names numbered once for every part, and which traces it wants.
private struct TimingReadPlan: Sendable {
    private(set) var names = TimingNames()
    private var nameNumbers = NumberByID()
    private var serviceNumbers = NumberByID()
    /// Spans wanted per trace, by ref less `firstRef`; 0 for a trace not selected.
    private var spanCounts: [Int32] = []
    private var firstRef: Int64 = 0
    private var spanRowIDs: ClosedRange<Int64> = 0...0
    /// Whether the read goes through the spans table in storage order, which costs about half
    /// of reaching each trace's spans through the index, when the selection is most of the file.
    private(set) var scansSpans = false
    /// Otherwise the query narrowed to the traces it selects, so the parts need not ask the indexes again.
    private(set) var narrowed: TraceQuery?

    init(query: TraceQuery, in db: Database, dictionary: DictionaryCache) throws {
        let spanNames = try RawStatement(db, sql: "SELECT id, name FROM span_names")
        while try spanNames.step(db) { nameNumbers[spanNames.int64(0)] = names.number(spanNames.text(1) ?? "") }
        var context = ReadContext(db: db, dictionary: dictionary)
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM resources") {
            serviceNumbers[id] = names.number(try context.resource(id).serviceName)
        }
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM traces") ?? 0
        guard query.limit == nil, total > 0 else { return }
        let selection = try TraceStore.selection(for: query, in: db)
        let rows = try RawStatement(db, sql: "SELECT t.id, t.span_count \(selection.filter)")
        try rows.bind(selection.arguments)
        var selected: [(ref: Int64, spans: Int32)] = []
        while try rows.step(db) { selected.append((rows.int64(0), Int32(clamping: rows.int64(1)))) }
        var narrowed = TraceQuery()
        narrowed.within = TraceSet(refs: selected.map(\.ref).sorted())
        self.narrowed = narrowed
        guard 2 * selected.count >= total, let first = selected.lazy.map(\.ref).min(), let last = selected.lazy.map(\.ref).max(),
              // Two subqueries: one query asking both would scan the table for them.
              let rowIDs = try Row.fetchOne(db, sql: "SELECT (SELECT min(rowid) FROM spans), (SELECT max(rowid) FROM spans)"),
              let lowest = rowIDs[0] as Int64?, let highest = rowIDs[1] as Int64? else { return }
        firstRef = first
        spanCounts = [Int32](repeating: 0, count: Int(last - first + 1))
        for trace in selected { spanCounts[Int(trace.ref - first)] = trace.spans }
        spanRowIDs = lowest...highest
        scansSpans = true
    }

    /// The columns both reads take, in this order.
    private static let columns = "s.trace_ref, s.span_id, s.parent_span_id, s.resource_id, s.name_id, s.kind, s.status_code, s.start_ns, s.duration_ns"

    private func timing(_ rows: RawStatement) throws -> SpanTiming {
        guard let spanID = rows.bigEndianUInt64(1) else { throw TraceStoreError.corrupt("a span id that is not 8 bytes") }
        var parentSpanID: SpanID?
        if !rows.isNull(2) {
            guard let parent = rows.bigEndianUInt64(2) else { throw TraceStoreError.corrupt("a parent span id that is not 8 bytes") }
            parentSpanID = SpanID(parent)
        }
        guard let service = serviceNumbers[rows.int64(3)] else { throw TraceStoreError.corrupt("a span of resource \(rows.int64(3)), which is missing") }
        guard let name = nameNumbers[rows.int64(4)] else { throw TraceStoreError.corrupt("a span name \(rows.int64(4)) that is missing") }
        let start = UInt64(bitPattern: rows.int64(7))
        return SpanTiming(
            spanID: SpanID(spanID), parentSpanID: parentSpanID, service: service, name: name,
            kind: SpanKind(rawValue: Int(rows.int64(5))) ?? .unspecified, isError: rows.int64(6) == SpanStatus.Code.error.rawValue,
            startTimeUnixNano: start, endTimeUnixNano: start &+ UInt64(bitPattern: rows.int64(8)))
    }

    /// One part of the selection, trace by trace, each trace's spans through `(trace_ref, span_id)`.
    func readJoined(_ query: TraceQuery, _ db: Database, _ body: (TraceTimings) throws -> Void) throws {
        let selection = try TraceStore.selection(for: query, in: db)
        let filter = query.limit == nil ? selection.whereClause : "WHERE t.id IN (SELECT t.id \(selection.sql))"
        let rows = try RawStatement(db, sql: "SELECT \(Self.columns) FROM traces t JOIN spans s ON s.trace_ref = t.id \(filter) ORDER BY t.id")
        try rows.bind(selection.arguments)
        var current: [SpanTiming] = []
        var currentRef: Int64?
        while try rows.step(db) {
            let ref = rows.int64(0)
            if ref != currentRef {
                if !current.isEmpty { try body(TraceTimings(spans: current)) }
                current.removeAll(keepingCapacity: true)
                currentRef = ref
            }
            current.append(try timing(rows))
        }
        if !current.isEmpty { try body(TraceTimings(spans: current)) }
    }

    /// The `index`th of `count` stretches of the spans table: every selected trace whose spans
    /// all lie in it, once its last span is read; the spans of the others are returned.
    func scan(_ index: Int, of count: Int, _ db: Database, _ body: (TraceTimings) throws -> Void) throws -> [(Int64, [SpanTiming])] {
        let stretch = TraceStore.part(index, of: count, spanRowIDs)
        let rows = try RawStatement(db, sql: "SELECT \(Self.columns) FROM spans s WHERE s.rowid >= ? AND s.rowid < ?")
        rows.bind(1, stretch.lowerBound)
        rows.bind(2, stretch.upperBound)
        // Traces being gathered, by ref less `firstRef`: a slot in `open`, or -1.
        var slots = [Int32](repeating: -1, count: spanCounts.count)
        var open: [(ref: Int64, spans: [SpanTiming])] = []
        var free: [Int32] = []
        while try rows.step(db) {
            let offset = rows.int64(0) - firstRef
            guard offset >= 0, offset < spanCounts.count, case let wanted = spanCounts[Int(offset)], wanted > 0 else { continue }
            var slot = slots[Int(offset)]
            if slot < 0 {
                if let reused = free.popLast() { slot = reused } else {
                    slot = Int32(open.count)
                    open.append((0, []))
                }
                open[Int(slot)].ref = rows.int64(0)
                slots[Int(offset)] = slot
            }
            open[Int(slot)].spans.append(try timing(rows))
            if open[Int(slot)].spans.count == wanted {
                try body(TraceTimings(spans: open[Int(slot)].spans))
                open[Int(slot)].spans.removeAll(keepingCapacity: true)
                slots[Int(offset)] = -1
                free.append(slot)
            }
        }
        return slots.filter { $0 >= 0 }.map { (open[Int($0)].ref, open[Int($0)].spans) }
    }
}

/// Numbers by dictionary id: an array while the ids are dense, as SQLite assigns them.
private struct NumberByID: Sendable {
    private var dense: [Int32] = []
    private var sparse: [Int64: Int32] = [:]

    subscript(id: Int64) -> Int32? {
        get {
            if id >= 0, id < dense.count { return dense[Int(id)] >= 0 ? dense[Int(id)] : nil }
            return sparse[id]
        }
        set {
            guard let newValue else { return }
            if id >= 0, id < 4 * (dense.count + sparse.count) + 1024 {
                if id >= dense.count { dense += [Int32](repeating: -1, count: Int(id) - dense.count + 1) }
                dense[Int(id)] = newValue
            } else {
                sparse[id] = newValue
            }
        }
    }
}
