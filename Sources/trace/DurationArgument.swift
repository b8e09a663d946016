import ArgumentParser
import TraceViews

/// A duration option in the same format the output uses: `250ms`, `1.5s`, `300us`, `2m`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var nanos: UInt64

    init(nanos: UInt64) { self.nanos = nanos }

    init?(argument: String) {
        guard let nanos = DurationFormat.parse(argument) else { return nil }
        self.nanos = nanos
    }

    var duration: Duration { .nanoseconds(Int64(clamping: nanos)) }
    var defaultValueDescription: String { DurationFormat.string(nanos: nanos) }
}
