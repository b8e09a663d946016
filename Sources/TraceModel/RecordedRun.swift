/// One recording session into a file (a `trace run`, `trace exec` or `trace collect`): what a
/// developer compares against the last one. Its telemetry is what started between its start and end.
public struct RecordedRun: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case run, exec, collect
    }

    /// What a finished run recorded, counted when it ended.
    public struct Totals: Sendable, Equatable {
        public var traces: Int
        public var spans: Int
        /// Traces with at least one error span.
        public var errorTraces: Int
        public var logRecords: Int
        public var metricPoints: Int

        public init(traces: Int, spans: Int, errorTraces: Int, logRecords: Int, metricPoints: Int) {
            self.traces = traces
            self.spans = spans
            self.errorTraces = errorTraces
            self.logRecords = logRecords
            self.metricPoints = metricPoints
        }
    }

    public var id: Int64
    public var kind: Kind
    public var label: String?
    /// As typed, for the listing: `trace exec -- python app.py`.
    public var commandLine: String
    public var startUnixNano: UInt64
    /// Nil while it records, or when it was killed before it could finish.
    public var endUnixNano: UInt64?
    /// `trace exec`'s child's exit code (128+signal when a signal ended it); `trace run`'s own.
    public var exitCode: Int32?
    public var totals: Totals?

    /// The first instant after the run (its window is start ..< this); nil while it records.
    public var endExclusiveUnixNano: UInt64? { endUnixNano.map { $0 == .max ? $0 : $0 + 1 } }

    public init(id: Int64, kind: Kind, label: String?, commandLine: String, startUnixNano: UInt64, endUnixNano: UInt64? = nil,
                exitCode: Int32? = nil, totals: Totals? = nil) {
        self.id = id
        self.kind = kind
        self.label = label
        self.commandLine = commandLine
        self.startUnixNano = startUnixNano
        self.endUnixNano = endUnixNano
        self.exitCode = exitCode
        self.totals = totals
    }
}

/// How a command names a run: its id, its label (the newest run with it), or `last`, `last~1`…
public enum RunSelector: Sendable, Equatable, CustomStringConvertible {
    case id(Int64)
    case label(String)
    /// The newest run, or the one `back` runs before it.
    case last(back: Int)

    /// Digits are an id, `last` and `last~N` count back from the newest, anything else is a label.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        if let id = Int64(text), id > 0 {
            self = .id(id)
        } else if text == "last" {
            self = .last(back: 0)
        } else if text.hasPrefix("last~"), let back = Int(text.dropFirst(5)), back >= 0 {
            self = .last(back: back)
        } else {
            self = .label(text)
        }
    }

    public var description: String {
        switch self {
        case .id(let id): "\(id)"
        case .label(let label): label
        case .last(let back): back == 0 ? "last" : "last~\(back)"
        }
    }
}
