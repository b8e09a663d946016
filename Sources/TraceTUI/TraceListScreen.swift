import Foundation
import TraceModel
import TraceQL
import TraceStore
import TraceViews

/// The list of traces: the columns of `trace list`, paged from the store so any number of
/// traces scrolls without loading them all.
struct TraceListScreen {
    var query = TraceQuery()
    var total = 0
    var selected = 0
    var top = 0
    var filterText = ""
    var editingFilter = false
    /// The TraceQL query the list shows the matches of (a filter that starts with `{`).
    var search: TraceQLQuery?
    /// Why the TraceQL filter typed did not parse.
    var filterError: String?

    /// A filter starting with `{` is TraceQL, run on Enter; anything else filters as it is typed.
    var filterIsTraceQL: Bool { filterText.first == "{" }
    private var page: [TraceSummary] = []
    private var pageStart = 0
    /// The page's traces with a log record at ERROR or above: marked as error traces are.
    private var withErrorLogs: Set<TraceID> = []

    var selectedTrace: TraceSummary? { summary(at: selected) }

    func summary(at index: Int) -> TraceSummary? {
        guard index >= pageStart, index < pageStart + page.count else { return nil }
        return page[index - pageStart]
    }

    /// Re-reads the count and the visible page; keeps `selectedID` selected when it still matches.
    mutating func reload(store: TraceStore, visibleRows: Int, keeping selectedID: TraceID? = nil) throws {
        total = try store.count(matching: query)
        if let selectedID, let position = try store.position(of: selectedID, in: query) {
            let screenRow = selected - top
            selected = position
            top = max(0, position - max(0, min(screenRow, visibleRows - 1)))
        }
        clamp(visibleRows: visibleRows)
        try fetchPage(store: store, visibleRows: visibleRows, force: true)
    }

    /// Loads the rows around the visible window when they are not already in memory.
    mutating func fetchPage(store: TraceStore, visibleRows: Int, force: Bool = false) throws {
        let needed = top..<min(total, top + max(1, visibleRows))
        if !force, needed.isEmpty || (needed.lowerBound >= pageStart && needed.upperBound <= pageStart + page.count) { return }
        pageStart = max(0, top - visibleRows)
        var pageQuery = query
        pageQuery.limit = visibleRows * 3
        if pageStart > total / 2 {
            // Past the middle, read from the far end: SQLite's OFFSET steps over every row it skips.
            let end = min(total, pageStart + visibleRows * 3)
            pageQuery.fromTheEnd = true
            pageQuery.offset = total - end
            pageQuery.limit = end - pageStart
            page = try store.traces(matching: pageQuery).reversed()
        } else {
            pageQuery.offset = pageStart
            page = try store.traces(matching: pageQuery)
        }
        withErrorLogs = Set(try store.errorLogCounts(inTraces: page.map(\.traceID)).keys)
    }

    /// Whether a trace is shown as failed: an error span, or a log record at ERROR or above.
    func isFailed(_ trace: TraceSummary) -> Bool { trace.hasError || withErrorLogs.contains(trace.traceID) }

    mutating func move(by delta: Int, visibleRows: Int) {
        selected += delta
        clamp(visibleRows: visibleRows)
    }

    mutating func clamp(visibleRows: Int) {
        selected = max(0, min(selected, total - 1))
        if total == 0 { selected = 0 }
        if selected < top { top = selected }
        if selected >= top + visibleRows { top = selected - visibleRows + 1 }
        top = max(0, min(top, max(0, total - visibleRows)))
    }

    // MARK: Drawing

    func draw(into screen: inout ScreenBuffer, databasePath: String, timeZone: TimeZone) {
        let visibleServices = (top..<min(total, top + Self.visibleRows(height: screen.height))).compactMap { summary(at: $0) }
            .map { TerminalText.width(TerminalText.escaped($0.services.joined(separator: ","))) }.max() ?? 8
        let columns = Self.columns(width: screen.width, servicesWidth: visibleServices)
        var title = "trace — \(databasePath)"
        title += query.order == .start ? "  ·  newest first" : "  ·  slowest first"
        if query.errorsOnly { title += "  ·  errors only" }
        screen.write(title, x: 0, y: 0, style: .heading)
        var x = 0
        for column in columns {
            screen.write(column.title, x: column.alignRight ? x + column.width - column.title.count : x, y: 1, style: .faint, maxWidth: column.width)
            x += column.width + 2
        }
        let visible = Self.visibleRows(height: screen.height)
        for row in 0..<visible {
            let index = top + row
            guard index < total, let trace = summary(at: index) else { break }
            let y = 2 + row
            let failed = isFailed(trace)
            let cells = Self.cells(for: trace, timeZone: timeZone, failed: failed)
            var x = 0
            for (column, cell) in zip(columns, cells) {
                let style: CellStyle = column.kind == .services ? .service(trace.services.first ?? "")
                    : column.kind == .error ? .error : (failed && column.kind == .root ? .error : .plain)
                let escaped = TerminalText.escaped(cell)
                let text = column.kind == .id ? String(escaped.prefix(column.width)) : TerminalText.truncated(escaped, columns: column.width)
                let width = TerminalText.width(text)
                screen.write(text, x: column.alignRight ? x + max(0, column.width - width) : x, y: y, style: style, maxWidth: column.width)
                x += column.width + 2
            }
            if index == selected { screen.restyle(x: 0, y: y, count: screen.width) { $0.reverse = true } }
        }
        if total == 0 {
            screen.write(query.text == nil && query.attributes.isEmpty && query.within == nil && !query.errorsOnly ? "No traces yet: run `trace run` or `trace collect` to record some." : "No traces match.",
                         x: 2, y: 3, style: .faint)
        }
        let status: String
        if let filterError {
            status = "/" + filterText + "▏  " + filterError
        } else if editingFilter {
            status = "/" + filterText + (filterIsTraceQL ? "▏  (TraceQL: Enter search, Esc clear)" : "▏  (Enter keep, Esc clear)")
        } else {
            let shown = total == 0 ? "0" : "\(selected + 1)/\(total)"
            status = "\(shown) traces" + (filterText.isEmpty ? "" : "  ·  filter \"\(filterText)\"")
                + "  ·  ↑↓ move  Enter open  / filter  s sort  e errors  L logs  F flame  u UTC  ? help  q quit"
        }
        screen.write(status, x: 0, y: screen.height - 1, style: filterError != nil ? .error : editingFilter ? .heading : .faint)
    }

    static func visibleRows(height: Int) -> Int { max(1, height - 3) }

    enum ColumnKind { case id, start, duration, spans, services, root, error }

    struct Column {
        var kind: ColumnKind
        var title: String
        var width: Int
        var alignRight = false
    }

    /// Fixed columns, with services and root sharing what the width leaves.
    /// A 16-digit id prefix below 130 columns: still unique in practice, and `trace show` takes it.
    static func columns(width: Int, servicesWidth: Int = 16) -> [Column] {
        let idWidth = width >= 130 ? 32 : 16
        let fixed = idWidth + 23 + 8 + 5 + 3 + 2 * 6
        let flexible = max(10, width - fixed)
        let services = min(24, max(8, min(servicesWidth, flexible / 2)))
        return [
            Column(kind: .id, title: "TRACE ID", width: idWidth),
            Column(kind: .start, title: "START", width: 23),
            Column(kind: .duration, title: "DURATION", width: 8, alignRight: true),
            Column(kind: .spans, title: "SPANS", width: 5, alignRight: true),
            Column(kind: .services, title: "SERVICES", width: services),
            Column(kind: .root, title: "ROOT", width: max(4, flexible - services)),
            Column(kind: .error, title: "", width: 3),
        ]
    }

    static func cells(for trace: TraceSummary, timeZone: TimeZone, failed: Bool? = nil) -> [String] {
        [
            trace.traceID.hex,
            Timestamp.string(unixNano: trace.startTimeUnixNano, timeZone: timeZone),
            DurationFormat.string(nanos: trace.durationNanos),
            String(trace.spanCount),
            trace.services.joined(separator: ","),
            trace.rootName.map { "\(trace.rootService ?? "?"): \($0)" } ?? "(root not received)",
            failed ?? trace.hasError ? "ERR" : "",
        ]
    }
}
