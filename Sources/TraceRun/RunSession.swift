import DemoServices
import Logging
import OTLP
import TraceIngest
import TraceModel
import TraceStore
import TraceViews

/// `trace run`: start the stack, play the user for N requests, stop so that every span is
/// stored, then report on exactly the traces this run produced.
public struct RunSession: Sendable {
    public var requests: Int
    public var concurrency: Int
    public var stack: DemoStackConfiguration

    public init(requests: Int, concurrency: Int, stack: DemoStackConfiguration) {
        self.requests = requests
        self.concurrency = concurrency
        self.stack = stack
    }

    /// Cancel the calling task to stop firing early: what was produced is still flushed and stored.
    /// Without a store, the pair runs untraced and the report has the client's numbers only.
    public func run(
        store: TraceStore?, logger: Logger,
        onStarted: @Sendable (DemoStack) -> Void = { _ in },
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> RunReport {
        var configuration = stack
        configuration.expectedRequests = requests
        let runStart = WallInstant.now().nanosecondsSinceEpoch
        let logsBefore = try store?.lastStoredLogID() ?? 0
        let demo = try await DemoStack.start(configuration: configuration, store: store, logger: logger)
        onStarted(demo)
        let client = PhaseTracedHTTPClient(host: configuration.host, port: demo.frontendPort, keepAlive: true)
        let load = LoadGenerator(client: client, requests: requests, concurrency: concurrency)
        let result = await load.run(progress: progress, stopped: { demo.recordingFailure != nil })
        await client.shutdown()
        if let failure = demo.recordingFailure {
            try? await Task { try await demo.stop() }.value
            throw RunStopped(reason: failure, sent: result.completed, requested: requests)
        }
        // Shutdown must finish even when the run was interrupted, or spans would be lost.
        try await Task { try await demo.stop() }.value
        guard let store else { return RunReport(untraced: result, requested: requests) }
        // As is the summary of what was stored (a cancelled task's reads would throw).
        let statistics = demo.statistics.snapshot
        return try await Task {
            try await report(result: result, store: store, since: runStart, logsAfter: logsBefore, statistics: statistics, forwardEndpoint: demo.forwardEndpoint)
        }.value
    }

    /// What a part of the run's traces add up to; only sums and one number per hop are kept, so
    /// memory stays flat in the run's length.
    private struct Tally: Sendable {
        var time = TimeAccount()
        var networkNanos: [UInt64] = []
        var incomplete = 0
    }

    func report(result: LoadGenerator.Result, store: TraceStore, since: UInt64, logsAfter: Int64 = 0, statistics: IngestStatistics.Snapshot,
                forwardEndpoint: String?) async throws -> RunReport {
        let query = TraceQuery(startedAtOrAfterUnixNano: since)
        // Two readers at once, as `trace stats` reads: the summary is most of what follows the last response.
        let parts = try await store.forEachTrace(matching: query, inParallel: 2, start: { Tally() }, add: { tally, trace in
            let breakdown = LatencyBreakdown(trace: trace)
            tally.time.add(breakdown)
            tally.networkNanos += breakdown.hops.map(\.networkNanos)
            if !trace.spans.contains(where: { $0.parentSpanID == nil }) { tally.incomplete += 1 }
        })
        var time = TimeAccount()
        for part in parts { time.merge(part.time) }
        let networkNanos = parts.flatMap(\.networkNanos)
        let incomplete = parts.reduce(0) { $0 + $1.incomplete }
        let totals = try store.totals(startedAtOrAfterUnixNano: since)
        let logs = try store.logTotals(storedAfter: logsAfter)
        var slowestQuery = query
        slowestQuery.order = .duration
        slowestQuery.limit = 1
        return RunReport(
            requested: requests, completed: result.completed, errors: result.errors, wallNanos: result.wallNanos,
            latencies: Percentiles(result.latenciesNanos), tracesStored: totals.traces, spansStored: totals.spans,
            spansDuplicate: statistics.spansDuplicate, time: time, networkNanosPerHop: Percentiles(networkNanos),
            slowestTrace: try store.traces(matching: slowestQuery).first,
            forwardEndpoint: forwardEndpoint, forwarded: statistics.requestsForwarded,
            forwardFailures: statistics.forwardFailures, lastForwardError: statistics.lastForwardError,
            interrupted: result.interrupted, databasePath: store.path, tracesWithoutRoot: incomplete,
            logRecordsStored: logs.records, logRecordsWarnOrAbove: logs.warnOrAbove)
    }
}

/// The run stopped sending because its spans could no longer be stored.
public struct RunStopped: Error, CustomStringConvertible {
    public var reason: any Error
    public var sent: Int
    public var requested: Int

    public var description: String {
        let why = if case .storageUnavailable(let problem) = reason as? IngestError { problem } else { "\(reason)" }
        return "cannot store: \(why); stopped sending after \(sent) of \(requested) requests (what was stored before then is kept)"
    }
}
