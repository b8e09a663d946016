import Foundation
import TraceModel
import TraceQL
import TraceViews

/// One trace: the waterfall on a time ruler, with a detail pane that follows the selection.
/// Draws from `WaterfallLayout`, the layout `trace show` prints.
struct TraceScreen {
    enum Focus { case waterfall, detail }

    let trace: Trace
    /// The trace as stored; `trace` differs when clock skew is adjusted (`a`).
    let stored: Trace
    /// What clock-skew correction moved; nil when it is off.
    let skew: ClockSkew?
    private(set) var collapsed: Set<SpanID> = []
    /// Every span, laid out once; folding and hiding only change which rows are `shown`.
    let layout: WaterfallLayout
    /// Indexes into `layout.rows` that are shown: outside folded subtrees, and only search
    /// matches when hiding the rest.
    private(set) var shown: [Int]
    var selected = 0
    var top = 0
    var focus = Focus.waterfall
    var detailTop = 0
    var showBreakdown = false
    var search = "" {
        didSet { if search != oldValue { findMatches() } }
    }
    var editingSearch = false
    var hideNonMatching = false
    private(set) var showCriticalPath = false

    // Everything a keystroke would otherwise recompute over every span (a trace can hold
    // 200,000) is worked out when the trace opens, or once per change of what it depends on.
    private let startUnixNano: UInt64
    private let duration: UInt64
    private let services: [String]
    private let nameColumns: Int
    private let serviceColumns: Int
    private let breakdownLines: [String]
    let criticalPath: CriticalPath
    /// Whether each span (by its index in `trace.spans`) is on the critical path, or matches the search.
    private let onCriticalPath: [Bool]
    private var matching: [Bool]
    /// Each span's name, service and attributes, lowercased UTF-8: what find searches.
    private let searchableText: [[UInt8]]
    private(set) var matchPositions: [Int] = []
    private let detailCache = DetailCache()

    /// Whether each span (by its index in `trace.spans`) matched the list's TraceQL query; nil without one.
    private let matchedByQuery: [Bool]?
    let queryEvaluator: TraceQLEvaluator?
    /// Each span's log records, in time order.
    let logsBySpan: [SpanID: [LogRecord]]
    /// The position in `stored.logs` selected in the trace's log list (`L`), while it is open.
    var logListSelection: Int?

    init(trace stored: Trace, adjustingSkew: Bool = false, matchedBy evaluator: TraceQLEvaluator? = nil) {
        self.stored = stored
        queryEvaluator = evaluator
        skew = adjustingSkew ? ClockSkew(adjusting: stored) : nil
        let trace = skew?.trace ?? stored
        self.trace = trace
        let tree = TraceTree(trace)
        startUnixNano = trace.startTimeUnixNano
        duration = trace.durationNanos
        services = trace.services
        layout = WaterfallLayout(tree: tree)
        shown = Array(layout.rows.indices)
        nameColumns = layout.rows.lazy.map {
            WaterfallLayout.indentation(depth: $0.depth).count + TerminalText.width(TerminalText.escaped(String($0.span.name.prefix(256))))
        }.max() ?? 0
        serviceColumns = services.lazy.map { TerminalText.width(TerminalText.escaped(String($0.prefix(64)))) }.max() ?? 0
        breakdownLines = WaterfallText.breakdown(LatencyBreakdown(tree: tree), total: trace.durationNanos, style: .plain)
        criticalPath = CriticalPath(tree: tree)
        let pathIDs = criticalPath.spanIDs
        onCriticalPath = trace.spans.map { pathIDs.contains($0.spanID) }
        matching = Array(repeating: false, count: trace.spans.count)
        // Matched on the stored trace; the adjusted one keeps its spans' ids.
        matchedByQuery = evaluator.map { evaluator in
            let ids = Set(evaluator.matchedSpans(in: stored).map { stored.spans[$0].spanID })
            return trace.spans.map { ids.contains($0.spanID) }
        }
        logsBySpan = stored.logsBySpan
        searchableText = trace.spans.map { span in
            var text = span.name + "\u{0}" + span.serviceName
            for attribute in span.attributes { text += "\u{0}\(attribute.key)\u{0}\(attribute.value.description)" }
            return Array(text.lowercased().utf8)
        }
    }

    var selectedRow: WaterfallLayout.Row? { shown.indices.contains(selected) ? layout.rows[shown[selected]] : nil }

    // MARK: The trace's log records

    mutating func toggleLogList() {
        logListSelection = logListSelection == nil && !stored.logs.isEmpty ? 0 : nil
    }

    mutating func moveInLogList(by delta: Int) {
        guard let position = logListSelection else { return }
        logListSelection = max(0, min(position + delta, stored.logs.count - 1))
    }

    /// Closes the log list on the selected record's span, unfolding and showing all to reach it.
    mutating func jumpToSelectedLog(visibleRows: Int) {
        guard let position = logListSelection else { return }
        logListSelection = nil
        guard let spanID = stored.logs[position].spanID, layout.rows.contains(where: { $0.span.spanID == spanID }) else { return }
        collapsed = []
        hideNonMatching = false
        relayout(keeping: spanID)
        focus = .waterfall
        scrollToSelection(visibleRows: visibleRows)
    }

    // MARK: Folding and searching

    mutating func toggleCollapse(_ expand: Bool? = nil) {
        guard let row = selectedRow, row.hasChildren else { return }
        let id = row.span.spanID
        let isCollapsed = collapsed.contains(id)
        if expand == true, !isCollapsed { return }
        if expand == false, isCollapsed { return }
        if isCollapsed { collapsed.remove(id) } else { collapsed.insert(id) }
        relayout(keeping: id)
    }

    func matches(_ row: WaterfallLayout.Row) -> Bool { matching[row.index] }

    mutating func toggleCriticalPath() {
        showCriticalPath.toggle()
    }

    private mutating func findMatches() {
        let query = Array(search.lowercased().utf8)
        for index in matching.indices { matching[index] = !query.isEmpty && Self.contains(searchableText[index], query) }
        findMatchPositions()
    }

    /// Whether `needle` occurs in `haystack`, byte for byte: memchr to each candidate first byte,
    /// memcmp for the rest (find runs over every span on every keystroke).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                guard var cursor = h.baseAddress, h.count >= n.count else { return false }
                let last = h.baseAddress! + (h.count - n.count)
                while cursor <= last {
                    guard let hit = memchr(cursor, Int32(first), last - cursor + 1) else { return false }
                    if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
                    cursor = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }

    /// Rows that match the search, as positions in `shown`.
    private mutating func findMatchPositions() {
        matchPositions = search.isEmpty ? [] : shown.indices.filter { matching[layout.rows[shown[$0]].index] }
    }

    mutating func jumpToMatch(forward: Bool) {
        let positions = matchPositions
        guard !positions.isEmpty else { return }
        if forward {
            selected = positions.first { $0 > selected } ?? positions[0]
        } else {
            selected = positions.last { $0 < selected } ?? positions[positions.count - 1]
        }
    }

    mutating func setHideNonMatching(_ hide: Bool) {
        hideNonMatching = hide
        relayout(keeping: selectedRow?.span.spanID)
    }

    mutating func relayout(keeping id: SpanID?) {
        let hiding = hideNonMatching && !search.isEmpty
        var visible: [Int] = []
        visible.reserveCapacity(layout.rows.count)
        var position = 0
        let rows = layout.rows
        while position < rows.count {
            let row = rows[position]
            if !hiding || matching[row.index] { visible.append(position) }
            position += 1
            // A folded span's subtree is the run of deeper rows after it in depth-first order.
            if row.hasChildren, collapsed.contains(row.span.spanID) {
                while position < rows.count, rows[position].depth > row.depth { position += 1 }
            }
        }
        shown = visible
        if let id, let position = shown.firstIndex(where: { layout.rows[$0].span.spanID == id }) { selected = position }
        selected = max(0, min(selected, shown.count - 1))
        detailTop = 0
        findMatchPositions()
    }

    mutating func move(by delta: Int, visibleRows: Int) {
        if focus == .detail {
            detailTop = max(0, detailTop + delta)
            return
        }
        selected = max(0, min(selected + delta, shown.count - 1))
        detailTop = 0
        scrollToSelection(visibleRows: visibleRows)
    }

    mutating func scrollToSelection(visibleRows: Int) {
        if selected < top { top = selected }
        if selected >= top + visibleRows { top = selected - visibleRows + 1 }
        top = max(0, min(top, max(0, shown.count - visibleRows)))
    }

    // MARK: Geometry

    struct Geometry {
        var waterfall: (x: Int, y: Int, width: Int, height: Int)
        var detail: (x: Int, y: Int, width: Int, height: Int)
    }

    /// Detail pane on the right when the screen is wide, else at the bottom.
    static func geometry(width: Int, height: Int) -> Geometry {
        let bodyTop = 2
        let bodyHeight = height - 3
        if width >= 140 {
            let detailWidth = width * 2 / 5
            return Geometry(waterfall: (0, bodyTop, width - detailWidth - 1, bodyHeight), detail: (width - detailWidth, bodyTop - 1, detailWidth, bodyHeight + 1))
        }
        let detailHeight = max(5, bodyHeight * 2 / 5)
        return Geometry(waterfall: (0, bodyTop, width, bodyHeight - detailHeight - 1), detail: (0, bodyTop + bodyHeight - detailHeight, width, detailHeight))
    }

    // MARK: Drawing

    func draw(into screen: inout ScreenBuffer, timeZone: TimeZone) {
        let geometry = Self.geometry(width: screen.width, height: screen.height)
        let header = "Trace \(trace.traceID.hex)  \(Timestamp.string(unixNano: startUnixNano, timeZone: timeZone))  "
            + "\(DurationFormat.string(nanos: duration))  \(trace.spans.count) spans  " + (stored.logs.isEmpty ? "" : "\(counted(stored.logs.count, "log")) (L)  ")
        var x = screen.write(header, x: 0, y: 0, style: .heading)
        for (index, service) in services.enumerated() {
            guard x < screen.width else { break }
            x += screen.write((index > 0 ? ", " : "") + service, x: x, y: 0, style: .service(service))
        }
        drawWaterfall(into: &screen, area: geometry.waterfall)
        drawDetail(into: &screen, area: geometry.detail)
        if showBreakdown {
            screen.drawCenteredBox(lines: breakdownLines, margin: 4, footer: " b to close ") { _, index in index == 0 ? .heading : .plain }
        }
        if let position = logListSelection { drawLogList(into: &screen, selected: position) }
        let status: String
        if editingSearch {
            status = "find: " + search + "▏  (Enter keep, Esc clear)"
        } else {
            let matchCount = search.isEmpty ? "" : "  ·  \(matchPositions.count) match \"\(search)\" (n/N, h \(hideNonMatching ? "show all" : "hide others"))"
            if let skew {
                let moved = skew.shifts.isEmpty ? "nothing needed moving" : "\(counted(skew.shifts.count, "span")) moved into their clients' windows ⇆"
                status = "span \(selected + 1)/\(shown.count)  ·  clock skew adjusted: \(moved)  ·  a undo"
            } else if showCriticalPath {
                let shares = WaterfallText.bucketShares(criticalPath.nanosByBucket, total: criticalPath.totalNanos)
                status = "span \(selected + 1)/\(shown.count)  ·  critical path ● \(DurationFormat.string(nanos: criticalPath.totalNanos)): \(shares)  ·  c hide"
            } else {
                let queryMatches = matchedByQuery.map { "  ·  ▸ \($0.filter { $0 }.count) matched the query" } ?? ""
                status = "span \(selected + 1)/\(shown.count)\(queryMatches)\(matchCount)  ·  Space fold  / find  b breakdown  c critical path  a skew  Tab pane  Esc back  ? help"
            }
        }
        screen.write(status, x: 0, y: screen.height - 1, style: editingSearch ? .heading : .faint)
    }

    /// Every log record of the trace in time order, the selected one highlighted; Enter goes to its span.
    private func drawLogList(into screen: inout ScreenBuffer, selected position: Int) {
        let room = max(1, screen.height - 6)
        let first = max(0, min(position - room / 2, stored.logs.count - room))
        let records = stored.logs[first..<min(stored.logs.count, first + room)]
        let serviceWidth = min(12, records.map { TerminalText.width(TerminalText.escaped($0.serviceName)) }.max() ?? 7)
        var lines = ["Logs of this trace (\(stored.logs.count))  ↑↓ move  Enter go to its span  L Esc close"]
        lines += records.map { record in
            let offset = record.effectiveTimeUnixNano > startUnixNano ? "+" + DurationFormat.string(nanos: record.effectiveTimeUnixNano - startUnixNano) : "+0ns"
            return TerminalText.padded(offset, columns: 8, alignRight: true) + "  " + TerminalText.padded(record.levelName, columns: 5)
                + "  " + TerminalText.padded(TerminalText.escaped(record.serviceName), columns: serviceWidth) + "  " + LogText.body(record)
        }
        screen.drawCenteredBox(lines: lines, margin: 4) { _, index in
            guard index > 0 else { return .heading }
            var style = CellStyle.severity(records[records.startIndex + index - 1])
            style.reverse = first + index - 1 == position
            return style
        }
    }

    static func columns(width: Int, nameColumns: Int, serviceColumns: Int, marks: Int = 0) -> (name: Int, service: Int, duration: Int, bar: Int) {
        let mark = 2 * marks
        let nameWidth = min(max(12, mark + nameColumns + 4), max(12, width / 3))
        let serviceWidth = min(max(7, serviceColumns), 14)
        let durationWidth = 7
        return (nameWidth, serviceWidth, durationWidth, max(8, width - nameWidth - serviceWidth - durationWidth - 3))
    }

    private func drawWaterfall(into screen: inout ScreenBuffer, area: (x: Int, y: Int, width: Int, height: Int)) {
        let columns = Self.columns(width: area.width, nameColumns: nameColumns, serviceColumns: serviceColumns,
                                   marks: (showCriticalPath ? 1 : 0) + (matchedByQuery == nil ? 0 : 1))
        let barX = area.x + columns.name + columns.service + columns.duration + 3
        // Time ruler: five ticks with human durations on the shared axis.
        let rulerY = area.y - 1
        for tick in 0...4 {
            let column = barX + tick * (columns.bar - 1) / 4
            let label = DurationFormat.string(nanos: layout.totalNanos * UInt64(tick) / 4)
            let labelX = tick == 4 ? column - label.count + 1 : column
            screen.write("┊", x: column, y: rulerY, style: .faint)
            if tick < 4 { screen.write(label, x: labelX + 1, y: rulerY, style: .faint, maxWidth: (columns.bar - 1) / 4 - 1) }
            else { screen.write(label, x: labelX - 1, y: rulerY, style: .faint) }
        }
        for line in 0..<max(0, area.height) {
            let position = top + line
            guard position < shown.count else { break }
            let row = layout.rows[shown[position]]
            let span = row.span
            let y = area.y + line
            let fold = row.hasChildren ? (collapsed.contains(span.spanID) ? "▸ " : "▾ ") : "  "
            let onPath = onCriticalPath[row.index]
            let mark = (matchedByQuery.map { $0[row.index] ? "▸ " : "  " } ?? "") + (showCriticalPath ? (onPath ? "● " : "  ") : "")
            let name = mark + WaterfallLayout.indentation(depth: row.depth) + fold + span.name
                + (row.closesCycle ? WaterfallLayout.cycleMark : "") + (skew?.shifts[span.spanID] != nil ? " ⇆" : "") + (span.isError ? " !" : "")
            let isMatch = matching[row.index]
            screen.write(name, x: area.x, y: y, style: span.isError ? .error : CellStyle(bold: isMatch), maxWidth: columns.name)
            screen.write(span.serviceName, x: area.x + columns.name + 1, y: y, style: .service(span.serviceName), maxWidth: columns.service)
            let duration = DurationFormat.string(nanos: span.durationNanos)
            screen.write(duration, x: area.x + columns.name + columns.service + 2 + columns.duration - duration.count, y: y, maxWidth: columns.duration)
            let (start, end) = layout.barCells(for: row, width: columns.bar)
            var bar = WaterfallLayout.barString(start: start, end: end, width: columns.bar)
            for event in span.events { bar[layout.cell(forUnixNano: event.timeUnixNano, width: columns.bar)] = "◆" }
            for record in logsBySpan[span.spanID] ?? [] { bar[layout.cell(forUnixNano: record.effectiveTimeUnixNano, width: columns.bar)] = LogText.mark }
            // With the critical path shown, work off the path fades so the chain stands out.
            let barStyle: CellStyle = span.isError ? .error : showCriticalPath && !onPath ? .faint : .service(span.serviceName)
            screen.write(String(bar), x: barX, y: y, style: barStyle, maxWidth: columns.bar)
            if position == selected {
                screen.restyle(x: area.x, y: y, count: columns.name + columns.service + columns.duration + 2) { $0.reverse = true }
            }
        }
    }

    private func drawDetail(into screen: inout ScreenBuffer, area: (x: Int, y: Int, width: Int, height: Int)) {
        let separatorStyle = CellStyle(bold: focus == .detail, dim: focus != .detail)
        if area.y > 2 {
            screen.write(String(repeating: "─", count: area.width), x: area.x, y: area.y - 1, style: separatorStyle)
        } else {
            for y in area.y..<(area.y + area.height) { screen.write("│", x: area.x - 1, y: y, style: separatorStyle) }
        }
        guard let row = selectedRow else { return }
        let lines = detailCache.lines(for: row, width: area.width - 1) {
            Self.detailLines(for: row, traceStart: layout.traceStartNanos, logs: logsBySpan[row.span.spanID] ?? []).flatMap { line in
                let indent = line.text.prefix { $0 == " " }.count + 4
                return TerminalText.wrapped(Self.clipped(line.text), columns: area.width - 1, indent: indent).map { DetailLine(text: $0, style: line.style) }
            }
        }
        for (offset, line) in lines.dropFirst(detailTop).prefix(area.height).enumerated() {
            screen.write(line.text, x: area.x + 1, y: area.y + offset, style: line.style, maxWidth: area.width - 1)
        }
    }

    struct DetailLine {
        var text: String
        var style: CellStyle = .plain
    }

    /// The selected span's wrapped detail lines, kept while the selection and width stay the same.
    private final class DetailCache {
        private var key: (SpanID, Int)?
        private var cached: [DetailLine] = []

        func lines(for row: WaterfallLayout.Row, width: Int, make: () -> [DetailLine]) -> [DetailLine] {
            if let key, key == (row.span.spanID, width) { return cached }
            cached = make()
            key = (row.span.spanID, width)
            return cached
        }
    }

    /// Longest text a detail line wraps: a value of megabytes would be thousands of pane lines.
    static let maxDetailCharacters = 8192

    static func clipped(_ text: String) -> String {
        guard text.utf8.count > maxDetailCharacters else { return text }
        return String(text.prefix(maxDetailCharacters)) + " … (\(text.utf8.count) bytes in all; trace export prints it whole)"
    }

    /// Everything about a span: identity, timing, status, attributes, events, links, resource, scope.
    static func detailLines(for row: WaterfallLayout.Row, traceStart: UInt64, logs: [LogRecord] = []) -> [DetailLine] {
        let span = row.span
        var lines = [DetailLine(text: span.name, style: .heading)]
        lines.append(DetailLine(text: "service   \(span.serviceName)", style: .service(span.serviceName)))
        lines.append(DetailLine(text: "kind      \(span.kind.name)"))
        switch span.status.code {
        case .error: lines.append(DetailLine(text: "status    ERROR" + (span.status.message.isEmpty ? "" : ": \(span.status.message)"), style: .error))
        case .ok: lines.append(DetailLine(text: "status    OK" + (span.status.message.isEmpty ? "" : ": \(span.status.message)")))
        case .unset: lines.append(DetailLine(text: "status    unset"))
        }
        lines.append(DetailLine(text: "start     +\(DurationFormat.string(nanos: row.offsetNanos))   duration \(DurationFormat.string(nanos: span.durationNanos))"))
        lines.append(DetailLine(text: "span id   \(span.spanID.hex)"))
        lines.append(DetailLine(text: "parent    \(span.parentSpanID?.hex ?? "(root)")" + (row.closesCycle ? " (closes a parent cycle; shown as a root)" : "")))
        lines.append(DetailLine(text: "trace id  \(span.traceID.hex)"))
        // What the span logged comes first: it says why, the rest says what.
        if !logs.isEmpty {
            lines.append(DetailLine(text: "Logs", style: .heading))
            for record in logs {
                let time = record.effectiveTimeUnixNano
                let offset = time > traceStart ? time - traceStart : 0
                lines.append(DetailLine(text: "  \(LogText.mark) +\(DurationFormat.string(nanos: offset)) \(record.levelName)  \(record.bodyText)",
                                        style: .severity(record)))
                for attribute in record.attributes { lines.append(DetailLine(text: "      \(attribute.key) = \(attribute.value)")) }
            }
        }
        if !span.attributes.isEmpty {
            lines.append(DetailLine(text: "Attributes", style: .heading))
            for attribute in span.attributes.sorted(by: { $0.key < $1.key }) { lines.append(DetailLine(text: "  \(attribute.key) = \(attribute.value)")) }
        }
        if !span.events.isEmpty {
            lines.append(DetailLine(text: "Events", style: .heading))
            for event in span.events {
                let offset = event.timeUnixNano > traceStart ? event.timeUnixNano - traceStart : 0
                lines.append(DetailLine(text: "  ◆ +\(DurationFormat.string(nanos: offset)) \(event.name)"))
                for attribute in event.attributes { lines.append(DetailLine(text: "      \(attribute.key) = \(attribute.value)")) }
            }
        }
        if !span.links.isEmpty {
            lines.append(DetailLine(text: "Links", style: .heading))
            for link in span.links {
                lines.append(DetailLine(text: "  → \(link.traceID.hex) / \(link.spanID.hex)"))
                for attribute in link.attributes { lines.append(DetailLine(text: "      \(attribute.key) = \(attribute.value)")) }
            }
        }
        lines.append(DetailLine(text: "Resource", style: .heading))
        for attribute in span.resource.attributes.sorted(by: { $0.key < $1.key }) { lines.append(DetailLine(text: "  \(attribute.key) = \(attribute.value)")) }
        lines.append(DetailLine(text: "Scope", style: .heading))
        lines.append(DetailLine(text: "  " + (span.scope.name.isEmpty ? "(unnamed)" : span.scope.name) + (span.scope.version.isEmpty ? "" : " \(span.scope.version)")))
        return lines
    }
}
