import Foundation
import TraceModel
import TraceStore
import TraceViews

/// The live log view of the whole file (`L` from the list): the newest records at the bottom,
/// following as `collect` stores more; `/` filters by words (prefixes, through the word index).
struct LogsScreen {
    /// How many of the newest matching records are held: a screenful many times over.
    static let held = 2_000

    private(set) var records: [StoredLogRecord] = []
    /// Rows scrolled up from the bottom; 0 follows new records.
    var scrolledUp = 0
    var selectedFromBottom = 0
    var filterText = ""
    var editingFilter = false
    private var lastStored: Int64 = -1

    var selected: StoredLogRecord? {
        records.indices.contains(records.count - 1 - selectedFromBottom) ? records[records.count - 1 - selectedFromBottom] : nil
    }

    /// Reads the newest records again when any arrived or the filter changed; true when it did.
    @discardableResult
    mutating func reload(store: TraceStore, force: Bool = false) throws -> Bool {
        let last = try store.lastStoredLogID()
        guard force || last != lastStored else { return false }
        lastStored = last
        let words = filterText.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        let query = LogQuery(words: words, wordsArePrefixes: true, limit: Self.held, newestFirst: true)
        // Arrival order: a live view shows records as they come.
        records = try store.logRecords(matching: query).sorted { $0.storedID < $1.storedID }
        selectedFromBottom = min(selectedFromBottom, max(0, records.count - 1))
        return true
    }

    mutating func move(by delta: Int, visibleRows: Int) {
        // Up is back in time, away from the bottom.
        selectedFromBottom = max(0, min(selectedFromBottom - delta, records.count - 1))
        if selectedFromBottom < scrolledUp { scrolledUp = selectedFromBottom }
        if selectedFromBottom >= scrolledUp + visibleRows { scrolledUp = selectedFromBottom - visibleRows + 1 }
    }

    static func visibleRows(height: Int) -> Int { max(1, height - 3) }

    func draw(into screen: inout ScreenBuffer, databasePath: String, timeZone: TimeZone) {
        let following = selectedFromBottom == 0
        screen.write("trace — \(databasePath)  ·  logs, newest at the bottom" + (following ? "  ·  following" : ""), x: 0, y: 0, style: .heading)
        let visible = Self.visibleRows(height: screen.height)
        let end = records.count - scrolledUp
        let shown = records[max(0, end - visible)..<max(0, end)]
        let serviceWidth = min(12, shown.map { TerminalText.width(TerminalText.escaped($0.record.serviceName)) }.max() ?? 7)
        // The bottom row is the newest: rows fill upwards from just above the status line.
        for (offset, stored) in shown.reversed().enumerated() {
            let y = 1 + visible - 1 - offset
            let record = stored.record
            var x = screen.write(Timestamp.string(unixNano: record.effectiveTimeUnixNano, timeZone: timeZone) + "  ", x: 0, y: y, style: .faint)
            x += screen.write(TerminalText.padded(record.levelName, columns: 5) + "  ", x: x, y: y, style: .severity(record))
            x += screen.write(TerminalText.padded(TerminalText.escaped(record.serviceName), columns: serviceWidth) + "  ", x: x, y: y, style: .service(record.serviceName))
            let trace = record.traceID.map { "  " + String($0.hex.prefix(8)) } ?? ""
            screen.write(LogText.body(record), x: x, y: y, style: .severity(record), maxWidth: max(1, screen.width - x - trace.count))
            if !trace.isEmpty { screen.write(trace, x: screen.width - trace.count, y: y, style: .faint) }
            if records.count - 1 - selectedFromBottom == records.count - scrolledUp - 1 - offset {
                screen.restyle(x: 0, y: y, count: screen.width) { $0.reverse = true }
            }
        }
        if records.isEmpty {
            screen.write(filterText.isEmpty ? "No log records yet: an app that logs through OpenTelemetry, `trace collect`, and they appear here." : "No log records match.",
                         x: 2, y: 2, style: .faint)
        }
        let status = editingFilter
            ? "/" + filterText + "▏  (words, as typed; Enter keep, Esc clear)"
            : "\(records.count) records" + (records.count == Self.held ? " (the newest)" : "") + (filterText.isEmpty ? "" : "  ·  filter \"\(filterText)\"")
                + "  ·  ↑↓ move  Enter open its trace  / filter  G follow  Esc back  q quit"
        screen.write(status, x: 0, y: screen.height - 1, style: editingFilter ? .heading : .faint)
    }
}
