import ArgumentParser
import TraceModel
import TraceStore

/// `--run`: one recorded run's telemetry (what started between its start and end).
struct RunOption: ParsableArguments {
    @Option(name: .customLong("run"), help: ArgumentHelp(
        "Only what this run recorded: its id, its label, last or last~N (see trace runs).", valueName: "run"))
    var selector: RunSelector?

    /// The run named, or nil without --run; a name no run has is the user's mistake, said in one line.
    func resolve(in store: TraceStore) throws -> RecordedRun? {
        guard let selector else { return nil }
        return try Self.resolve(selector, in: store)
    }

    static func resolve(_ selector: RunSelector, in store: TraceStore) throws -> RecordedRun {
        guard let run = try store.run(selector) else {
            let count = try store.runs().count
            let known = count == 0 ? "no run is recorded there yet (trace run, exec and collect record one each)" : "\(count) recorded; trace runs lists them"
            throw UserFacingError("no run \(selector) in \(store.path): \(known)")
        }
        return run
    }

    func narrow(_ query: TraceQuery, in store: TraceStore) throws -> TraceQuery {
        guard let run = try resolve(in: store) else { return query }
        return query.within(run)
    }
}

extension RunSelector: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--label`: the name a recording is listed and selected by.
struct RunLabelOption: ParsableArguments {
    @Option(help: ArgumentHelp("Name this run, to select it later with --run NAME (trace runs lists runs).", valueName: "name"))
    var label: String?

    func validate() throws {
        guard let label else { return }
        guard let selector = RunSelector(label), case .label = selector else {
            throw ValidationError("--label '\(label)' would read as a run id or last~N; choose a name with a letter in it")
        }
    }
}
