import ArgumentParser
import TraceModel
import TraceViews

/// `--adjust-skew`, shared by the commands that explain traces: off unless asked for, and what it
/// moved is always said.
struct ClockSkewOption: ParsableArguments {
    @Flag(help: "Move a server span lying outside its client span (another host's clock) into the client's window, half the slack each side; say what moved.")
    var adjustSkew = false

    /// The trace as the views should see it, and what was moved (nil when not asked for).
    func apply(_ trace: Trace) -> (trace: Trace, skew: ClockSkew?) {
        guard adjustSkew else { return (trace, nil) }
        let skew = ClockSkew(adjusting: trace)
        return (skew.trace, skew)
    }
}

/// Counts what `--adjust-skew` moved over many traces, for one note at the end.
struct ClockSkewTally: Sendable {
    private(set) var traces = 0
    private(set) var spans = 0

    mutating func add(_ skew: ClockSkew?) {
        guard let skew, !skew.shifts.isEmpty else { return }
        traces += 1
        spans += skew.shifts.count
    }

    mutating func merge(_ other: ClockSkewTally) {
        traces += other.traces
        spans += other.spans
    }

    /// The note for stderr.
    var note: String {
        traces == 0 ? "clock skew: no server span lay outside its client's window; nothing moved"
            : "clock skew adjusted in \(counted(traces, "trace")): \(counted(spans, "span")) moved into their clients' windows"
    }
}
