import TraceModel

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
    /// Rows to skip before the first one returned, for paging through a long list.
    public var offset: Int
    /// Filter-as-you-type: matches a trace id prefix, a service, or text in any span name or attribute.
    public var text: String?
    /// Walks `order` from its far end (oldest or fastest first), so the end of a long list is read
    /// without skipping over everything before it.
    public var fromTheEnd = false
    /// One of `count` disjoint parts of the selection (by trace), set by `forEachTrace(inParallel:)`.
    var part: Part?
    /// Only traces that arrived after this one, in arrival order (`traces(arrivedAfter:matching:)`).
    var arrivedAfter: ArrivalCursor?
    /// Only traces with a span that has each of these attributes (answered by the attribute index).
    public var attributes: [AttributeMatch] = []
    /// Only traces that may match a search, as far as the indexes can tell (a superset).
    public var candidates: TraceCandidates?
    /// Only these traces: the ones a search found.
    public var within: TraceSet?
    /// Only traces that started before this instant.
    public var startedBeforeUnixNano: UInt64?

    /// Traces stored with refs in a range: a part of the file read apart from the others, whose
    /// spans, stored in arrival order, mostly lie together.
    struct Part: Sendable, Equatable {
        var refs: Range<Int64>
    }

    public init(limit: Int? = nil, service: String? = nil, nameContains: String? = nil, minDurationNanos: UInt64? = nil, maxDurationNanos: UInt64? = nil, errorsOnly: Bool = false, startedAtOrAfterUnixNano: UInt64? = nil, order: Order = .start, offset: Int = 0, text: String? = nil) {
        self.limit = limit
        self.service = service
        self.nameContains = nameContains
        self.minDurationNanos = minDurationNanos
        self.maxDurationNanos = maxDurationNanos
        self.errorsOnly = errorsOnly
        self.startedAtOrAfterUnixNano = startedAtOrAfterUnixNano
        self.order = order
        self.offset = offset
        self.text = text
    }
}

/// A place in the order traces arrived in (a trace's first span), for following a file as it grows.
public struct ArrivalCursor: Sendable, Hashable, Comparable {
    let ref: Int64

    public static func < (a: ArrivalCursor, b: ArrivalCursor) -> Bool { a.ref < b.ref }
}

/// `key=value`: a span attribute equal to the value, as text or, when it spells one, as a number
/// (`http.response.status_code=500` matches the integer 500 and the string "500").
public struct AttributeMatch: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A stored trace's place in the file: cheaper to carry than its id, and only meaningful to the
/// store that handed it out, until a prune.
public struct TraceRef: Sendable, Hashable, Comparable {
    let value: Int64

    public static func < (a: TraceRef, b: TraceRef) -> Bool { a.value < b.value }
}

/// Traces a search found, to list, count, export or prune like any other selection.
public struct TraceSet: Sendable, Equatable {
    let refs: [Int64]

    public init(_ refs: some Sequence<TraceRef>) {
        self.refs = refs.map(\.value).sorted()
    }

    init(refs sorted: [Int64]) {
        refs = sorted
    }

    /// The refs as a JSON array, for `IN (SELECT value FROM json_each(?))`.
    var jsonArray: String { "[" + refs.map(String.init).joined(separator: ",") + "]" }

    public var count: Int { refs.count }
}

/// What the indexes can answer about which traces may hold a matching span: always a superset
/// of the traces that match, so whatever reads the spans next decides.
public indirect enum TraceCandidates: Sendable, Equatable {
    case all
    case none
    /// Traces with a span whose attribute `key` has one of `values` (or an array holding one).
    case attribute(key: String, values: [AttributeValue])
    /// Traces with a span of one of these names.
    case spanNames([String])
    /// Traces with a span from one of these services.
    case services([String])
    /// Traces with an error span.
    case errors
    /// Traces lasting within this range, in nanoseconds.
    case traceDuration(min: UInt64?, max: UInt64?)
    /// Traces with a log record at this severity number or above and, if `words` is given,
    /// whose body has a word starting with each (the word index's prefix search).
    case logs(minimumSeverity: Int?, words: [String])
    case and([TraceCandidates])
    case or([TraceCandidates])
}

/// What the attribute index knows of one key's values.
public enum IndexedAttributeValues: Sendable, Equatable {
    /// No span has stored an attribute of this key.
    case unknownKey
    /// Too many values to index: only reading the spans tells.
    case unindexed
    /// Every scalar value spans have had for it (array elements included).
    case values([AttributeValue])
}

/// How much of each span a read decodes besides its fixed fields: attributes, events and links
/// cost most of a read.
public struct SpanDetails: Sendable, Equatable {
    /// The span attributes to decode: nil for all, empty for none.
    public var attributeKeys: Set<String>?
    public var events: Bool
    public var links: Bool
    /// The trace's log records too (`Trace.logs`).
    public var logs: Bool

    public static let all = SpanDetails(attributeKeys: nil, events: true, links: true)
    public static let none = SpanDetails(attributeKeys: [], events: false, links: false)
    /// Everything, the trace's log records too: what a view of one trace shows.
    public static let allWithLogs = SpanDetails(attributeKeys: nil, events: true, links: true, logs: true)

    public init(attributeKeys: Set<String>?, events: Bool, links: Bool, logs: Bool = false) {
        self.attributeKeys = attributeKeys
        self.events = events
        self.links = links
        self.logs = logs
    }

    /// Everything, or nothing.
    public init(_ everything: Bool) { self = everything ? .all : .none }

    var readsJSON: Bool { attributeKeys != [] || events || links }
}
