import Foundation
import TraceModel
import TraceQL
import TraceSearch
import TraceStore
import TraceViews

/// The whole TUI as a state machine: keys in, a `ScreenBuffer` out. It knows nothing of
/// ncurses, so everything but the terminal itself is tested on a virtual screen.
public final class TraceBrowser {
    public static let minimumWidth = 60
    public static let minimumHeight = 12

    let store: TraceStore
    private(set) var list = TraceListScreen()
    private(set) var trace: TraceScreen?
    /// The live log view (`L`), under any trace opened from it.
    private(set) var logs: LogsScreen?
    /// The metrics screen (`M`), under any trace opened from one of its exemplars.
    private(set) var metrics: MetricsScreen?
    private(set) var showHelp = false
    /// The flame graph overlay of the list (`F`), while it is open.
    private(set) var flameLines: [String]?
    private(set) var useUTC = false
    private var lastTotals: StoreTotals?
    private var size: (width: Int, height: Int)
    /// What "local time" means; `u` switches between it and UTC.
    private let localTimeZone: TimeZone

    public init(store: TraceStore, width: Int, height: Int, localTimeZone: TimeZone = .current) throws {
        self.store = store
        self.localTimeZone = localTimeZone
        size = (width, height)
        lastTotals = try store.totals()
        try list.reload(store: store, visibleRows: listRows)
    }

    var timeZone: TimeZone { useUTC ? TimeZone(identifier: "UTC")! : localTimeZone }
    private var listRows: Int { TraceListScreen.visibleRows(height: size.height) }
    private var traceRows: Int { max(1, TraceScreen.geometry(width: size.width, height: size.height).waterfall.height) }
    private var logRows: Int { LogsScreen.visibleRows(height: size.height) }
    private var metricRows: Int { MetricsScreen.visibleRows(height: size.height) }

    public func resize(width: Int, height: Int) throws {
        size = (width, height)
        list.clamp(visibleRows: listRows)
        try list.fetchPage(store: store, visibleRows: listRows)
        trace?.scrollToSelection(visibleRows: traceRows)
    }

    /// Picks up traces written by another process; true when something changed on screen.
    public func refreshIfChanged() throws -> Bool {
        if logs != nil, try logs!.reload(store: store), trace == nil { return true }
        if metrics != nil, try metrics!.reload(store: store, width: size.width), trace == nil { return true }
        let totals = try store.totals()
        guard totals != lastTotals else { return false }
        lastTotals = totals
        try list.reload(store: store, visibleRows: listRows, keeping: list.selectedTrace?.traceID)
        return trace == nil
    }

    /// Handles one key; returns false when the user asked to quit.
    public func handle(_ key: Key) throws -> Bool {
        if key == .interrupt { return false }
        if showHelp {
            showHelp = false
            return key != .character("q")
        }
        if var screen = trace {
            let keepGoing = try handleTrace(key, screen: &screen)
            if trace != nil { trace = screen }
            return keepGoing
        }
        if var screen = logs {
            let keepGoing = try handleLogs(key, screen: &screen)
            if logs != nil { logs = screen }
            return keepGoing
        }
        if var screen = metrics {
            let keepGoing = try handleMetrics(key, screen: &screen)
            if metrics != nil { metrics = screen }
            return keepGoing
        }
        return try handleList(key)
    }

    private func handleList(_ key: Key) throws -> Bool {
        if flameLines != nil {
            // Any key closes the flame graph; q still quits.
            flameLines = nil
            return key != .character("q")
        }
        if list.editingFilter {
            switch key {
            case .enter where list.filterIsTraceQL: try applyFilter(running: true)
            case .enter: list.editingFilter = false
            case .escape:
                list.editingFilter = false
                list.filterText = ""
                try applyFilter()
            case .backspace:
                if !list.filterText.isEmpty { list.filterText.removeLast() }
                try applyFilter()
            case .character(let character):
                list.filterText.append(character)
                try applyFilter()
            default: break
            }
            return true
        }
        switch key {
        case .character("q"): return false
        case .character("?"): showHelp = true
        case .up, .character("k"): list.move(by: -1, visibleRows: listRows)
        case .down, .character("j"): list.move(by: 1, visibleRows: listRows)
        case .pageUp: list.move(by: -listRows, visibleRows: listRows)
        case .pageDown, .character(" "): list.move(by: listRows, visibleRows: listRows)
        case .home, .character("g"): list.move(by: -list.total, visibleRows: listRows)
        case .end, .character("G"): list.move(by: list.total, visibleRows: listRows)
        case .character("/"): list.editingFilter = true
        case .character("s"):
            list.query.order = list.query.order == .start ? .duration : .start
            try list.reload(store: store, visibleRows: listRows, keeping: list.selectedTrace?.traceID)
        case .character("e"):
            list.query.errorsOnly.toggle()
            try list.reload(store: store, visibleRows: listRows, keeping: list.selectedTrace?.traceID)
        case .character("u"): useUTC.toggle()
        case .character("F"): flameLines = try flameGraphLines()
        case .character("L"):
            var screen = LogsScreen()
            try screen.reload(store: store, force: true)
            logs = screen
        case .character("M"):
            var screen = MetricsScreen()
            try screen.reload(store: store, width: size.width)
            metrics = screen
        case .enter, .right, .character("l"):
            if let summary = list.selectedTrace { try open(summary.traceID) }
        case .escape where !list.filterText.isEmpty:
            list.filterText = ""
            try applyFilter()
        default: break
        }
        try list.fetchPage(store: store, visibleRows: listRows)
        return true
    }

    /// Opens a trace with its log records, the list's query marking its matches; on `spanID`, where the trace has it.
    private func open(_ traceID: TraceID, onSpan spanID: SpanID? = nil) throws {
        guard let loaded = try store.traces(withIDs: [traceID], details: .allWithLogs).first else { return }
        var opened = TraceScreen(trace: loaded, matchedBy: list.search.map(TraceQLEvaluator.init))
        if let spanID {
            opened.relayout(keeping: spanID)
            opened.scrollToSelection(visibleRows: traceRows)
        }
        trace = opened
    }

    /// How far a movement key moves a list `page` rows high; nil for any other key.
    static func movement(for key: Key, page: Int) -> Int? {
        switch key {
        case .up, .character("k"): -1
        case .down, .character("j"): 1
        case .pageUp: -page
        case .pageDown: page
        case .home, .character("g"): -Int(Int32.max)
        case .end, .character("G"): Int(Int32.max)
        default: nil
        }
    }

    private func handleLogs(_ key: Key, screen: inout LogsScreen) throws -> Bool {
        if screen.editingFilter {
            switch key {
            case .enter: screen.editingFilter = false
            case .escape:
                screen.editingFilter = false
                screen.filterText = ""
            case .backspace where !screen.filterText.isEmpty: screen.filterText.removeLast()
            case .character(let character): screen.filterText.append(character)
            default: return true
            }
            try screen.reload(store: store, force: true)
            return true
        }
        if let delta = Self.movement(for: key, page: logRows) {
            screen.move(by: delta, visibleRows: logRows)
            return true
        }
        switch key {
        case .character("q"): return false
        case .character("?"): showHelp = true
        case .escape where !screen.filterText.isEmpty:
            screen.filterText = ""
            try screen.reload(store: store, force: true)
        case .escape, .backspace, .character("L"): logs = nil
        case .character("/"): screen.editingFilter = true
        case .character("u"): useUTC.toggle()
        case .enter, .right, .character("l"):
            if let traceID = screen.selected?.record.traceID { try open(traceID, onSpan: screen.selected?.record.spanID) }
        default: break
        }
        return true
    }

    private func handleMetrics(_ key: Key, screen: inout MetricsScreen) throws -> Bool {
        if let delta = Self.movement(for: key, page: metricRows) {
            screen.move(by: delta, visibleRows: metricRows)
            return true
        }
        switch key {
        case .character("q"): return false
        case .character("?"): showHelp = true
        case .escape, .backspace, .left:
            if screen.openName != nil { screen.close() } else { metrics = nil }
        case .character("M") where screen.openName == nil: metrics = nil
        case .character("u"): useUTC.toggle()
        case .enter, .right, .character("l"):
            if screen.openName == nil {
                try screen.open(store: store, width: size.width)
            } else if screen.exemplars.indices.contains(screen.selectedExemplar), let traceID = screen.exemplars[screen.selectedExemplar].exemplar.traceID {
                try open(traceID, onSpan: screen.exemplars[screen.selectedExemplar].exemplar.spanID)
            }
        default: break
        }
        return true
    }

    /// The flame graph of the listed traces (the newest `flameTraceLimit` of them), as plain lines.
    private func flameGraphLines() throws -> [String] {
        var query = list.query
        query.order = .start
        query.limit = Self.flameTraceLimit
        var graph = FlameGraph()
        try store.forEachTrace(matching: query) { graph.add($0) }
        guard graph.traceCount > 0 else { return ["Flame graph", "", "No traces listed."] }
        let width = max(20, size.width - 8)
        var lines = FlameText.render(graph, by: .total, width: width, style: .plain, maxDepth: max(4, size.height / 2 - 4))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if graph.traceCount == Self.flameTraceLimit { lines[0] += " (the newest listed)" }
        return lines
    }

    /// Enough traces for a faithful picture while a key still answers in a moment.
    static let flameTraceLimit = 2_000

    /// A TraceQL filter (`{...}`) runs when `running` (Enter) and stays as it was while typed;
    /// any other filter applies as it is typed.
    private func applyFilter(running: Bool = false) throws {
        list.filterError = nil
        if list.filterIsTraceQL {
            guard running else { return }
            do {
                let query = try TraceQLQuery(list.filterText)
                list.query.within = try TraceSearch(query, in: store).matchingTracesInOneReader()
                list.search = query
                list.editingFilter = false
            } catch let error as TraceQLSyntaxError {
                list.filterError = error.description
                return
            }
            list.query.attributes = []
            list.query.text = nil
        } else if let cut = list.filterText.firstIndex(of: "="), cut != list.filterText.startIndex, !list.filterText.contains(" ") {
            list.query.attributes = [AttributeMatch(key: String(list.filterText[..<cut]), value: String(list.filterText[list.filterText.index(after: cut)...]))]
            list.query.text = nil
        } else {
            list.query.attributes = []
            list.query.text = list.filterText.isEmpty ? nil : list.filterText
        }
        if !list.filterIsTraceQL {
            list.query.within = nil
            list.search = nil
        }
        list.selected = 0
        list.top = 0
        try list.reload(store: store, visibleRows: listRows)
    }

    private func handleTrace(_ key: Key, screen: inout TraceScreen) throws -> Bool {
        if screen.logListSelection != nil {
            switch key {
            case .character("q"): return false
            case .up, .character("k"): screen.moveInLogList(by: -1)
            case .down, .character("j"): screen.moveInLogList(by: 1)
            case .pageUp: screen.moveInLogList(by: -traceRows)
            case .pageDown: screen.moveInLogList(by: traceRows)
            case .enter: screen.jumpToSelectedLog(visibleRows: traceRows)
            case .escape, .backspace, .character("L"): screen.toggleLogList()
            default: break
            }
            return true
        }
        if screen.editingSearch {
            switch key {
            case .enter:
                screen.editingSearch = false
                screen.jumpToMatch(forward: true)
            case .escape:
                screen.editingSearch = false
                screen.search = ""
            case .backspace where !screen.search.isEmpty: screen.search.removeLast()
            case .character(let character): screen.search.append(character)
            default: break
            }
            screen.relayout(keeping: screen.selectedRow?.span.spanID)
            screen.scrollToSelection(visibleRows: traceRows)
            return true
        }
        switch key {
        case .character("q"): return false
        case .character("?"): showHelp = true
        case .escape, .backspace:
            if screen.showBreakdown { screen.showBreakdown = false } else { trace = nil }
        case .up, .character("k"): screen.move(by: -1, visibleRows: traceRows)
        case .down, .character("j"): screen.move(by: 1, visibleRows: traceRows)
        case .pageUp: screen.move(by: -traceRows, visibleRows: traceRows)
        case .pageDown: screen.move(by: traceRows, visibleRows: traceRows)
        case .home, .character("g"): screen.move(by: -Int(Int32.max), visibleRows: traceRows)
        case .end, .character("G"): screen.move(by: Int(Int32.max), visibleRows: traceRows)
        case .character(" "): screen.toggleCollapse()
        case .left: screen.toggleCollapse(false)
        case .right: screen.toggleCollapse(true)
        case .tab, .backTab: screen.focus = screen.focus == .waterfall ? .detail : .waterfall
        case .character("/"):
            screen.editingSearch = true
            screen.search = ""
        case .character("n"): screen.jumpToMatch(forward: true)
        case .character("N"): screen.jumpToMatch(forward: false)
        case .character("h"): screen.setHideNonMatching(!screen.hideNonMatching)
        case .character("b"): screen.showBreakdown.toggle()
        case .character("c"): screen.toggleCriticalPath()
        case .character("L"): screen.toggleLogList()
        case .character("a"):
            // Opened again on the adjusted (or stored) trace, on the same span.
            let selectedSpan = screen.selectedRow?.span.spanID
            var reopened = TraceScreen(trace: screen.stored, adjustingSkew: screen.skew == nil, matchedBy: screen.queryEvaluator)
            if screen.showCriticalPath { reopened.toggleCriticalPath() }
            reopened.relayout(keeping: selectedSpan)
            screen = reopened
        case .character("u"): useUTC.toggle()
        default: break
        }
        screen.scrollToSelection(visibleRows: traceRows)
        return true
    }

    // MARK: Drawing

    public func draw() -> ScreenBuffer {
        var screen = ScreenBuffer(width: size.width, height: size.height)
        guard size.width >= Self.minimumWidth, size.height >= Self.minimumHeight else {
            screen.write("Terminal too small: \(size.width)×\(size.height), need \(Self.minimumWidth)×\(Self.minimumHeight).", x: 0, y: 0)
            screen.write("Enlarge the window, or q to quit.", x: 0, y: 1)
            return screen
        }
        if let trace {
            trace.draw(into: &screen, timeZone: timeZone)
        } else if let logs {
            logs.draw(into: &screen, databasePath: store.path, timeZone: timeZone)
        } else if let metrics {
            metrics.draw(into: &screen, databasePath: store.path, timeZone: timeZone)
        } else {
            list.draw(into: &screen, databasePath: store.path, timeZone: timeZone)
        }
        if let flameLines {
            screen.drawCenteredBox(lines: flameLines, margin: 2, footer: " any key to close ") { _, index in index == 0 ? .heading : .plain }
        }
        if showHelp { drawHelp(into: &screen) }
        return screen
    }

    static let helpLines = [
        "Keys",
        "",
        "Everywhere",
        "  ↑ ↓  j k      move            PgUp PgDn   page",
        "  g G  Home End first / last    u           local time / UTC",
        "  ?             this help       q  Ctrl-C   quit",
        "Trace list",
        "  Enter →       open trace      /           filter (id, service, span, attribute; key=value)",
        "                                /{ ... }    TraceQL query, run on Enter; matches marked ▸",
        "  s             sort by start / duration    e   errors only",
        "  Esc           clear filter                F   flame graph of the listed traces",
        "  L             live log view: newest at the bottom, / filter by words, Enter opens a record's trace",
        "  M             metrics: Enter charts one over time; on a histogram's exemplar, Enter opens its trace",
        "Trace",
        "  Space         fold / unfold   ← →         fold / unfold",
        "  /             find spans      n N         next / previous match",
        "  h             hide / show spans that do not match",
        "  b             latency breakdown           Tab  move between waterfall and details",
        "  c             critical path: mark it ●, total per service",
        "  a             adjust clock skew: move server spans into their client's window ⇆",
        "  L             the trace's log records (▪) in time order; Enter goes to a record's span",
        "  Esc Backspace back to the list",
        "",
        "Any key closes this help.",
    ]

    private func drawHelp(into screen: inout ScreenBuffer) {
        screen.drawCenteredBox(lines: Self.helpLines, margin: 2) { line, _ in line.hasPrefix(" ") || line.isEmpty ? .plain : .heading }
    }
}
