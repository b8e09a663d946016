import OTLPExport
import Synchronization

/// Running totals of what a receiver accepted, stored and forwarded, for summaries and logs.
public final class IngestStatistics: Sendable {
    public struct Snapshot: Equatable, Sendable {
        public var requestsAccepted = 0
        public var requestsRejected = 0
        public var spansStored = 0
        public var spansDuplicate = 0
        /// Spans refused one by one (a malformed id) from requests whose other spans were stored.
        public var spansRejected = 0
        public var logRecordsStored = 0
        public var logRecordsDuplicate = 0
        public var logRecordsRejected = 0
        public var metricPointsStored = 0
        public var metricPointsDuplicate = 0
        public var metricPointsRejected = 0
        public var requestsForwarded = 0
        public var forwardFailures = 0
        public var lastForwardError: String?
        /// Requests being decoded or stored now: a session may end once none are.
        public var requestsInFlight = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}

extension IngestStatistics: ForwardingObserver {
    public func forwarded() { update { $0.requestsForwarded += 1 } }

    public func forwardFailed(_ reason: String) {
        update {
            $0.forwardFailures += 1
            $0.lastForwardError = reason
        }
    }
}
