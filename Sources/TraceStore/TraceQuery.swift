/// Which traces a listing selects; every filter is optional and they combine with AND.
public struct TraceQuery: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        /// Newest first.
        case start
        /// Slowest first.
        case duration
    }

    public var limit: Int?
    public var service: String?
    /// Matches traces with any span whose name contains this text.
    public var nameContains: String?
    public var minDurationNanos: UInt64?
    public var maxDurationNanos: UInt64?
    public var errorsOnly: Bool
    public var startedAtOrAfterUnixNano: UInt64?
    public var order: Order

    public init(limit: Int? = nil, service: String? = nil, nameContains: String? = nil, minDurationNanos: UInt64? = nil, maxDurationNanos: UInt64? = nil, errorsOnly: Bool = false, startedAtOrAfterUnixNano: UInt64? = nil, order: Order = .start) {
        self.limit = limit
        self.service = service
        self.nameContains = nameContains
        self.minDurationNanos = minDurationNanos
        self.maxDurationNanos = maxDurationNanos
        self.errorsOnly = errorsOnly
        self.startedAtOrAfterUnixNano = startedAtOrAfterUnixNano
        self.order = order
    }
}
