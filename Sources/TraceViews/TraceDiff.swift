import TraceModel

/// Two traces aligned span by span, and where the difference in their durations comes from.
/// A span pairs with the span of the same service and name under its paired parent; repeated
/// names pair in start order. Each span is charged its time on its own trace's critical path, so
/// the per-span differences add up to the difference of the two critical paths.
public struct TraceDiff: Sendable {
    public struct Row: Sendable {
        public var depth: Int
        public var a: Span?
        public var b: Span?
        /// Time on each trace's critical path spent in this span itself (0 when off the path or absent).
        public var aPathNanos: UInt64
        public var bPathNanos: UInt64
        /// The span was a client waiting on another service, so its path time is network and queueing.
        public var isNetwork: Bool

        public var span: Span { (b ?? a)! }
        public var contributionNanos: Int64 { Int64(bPathNanos) - Int64(aPathNanos) }
        public var durationDeltaNanos: Int64? {
            guard let a, let b else { return nil }
            return Int64(b.durationNanos) - Int64(a.durationNanos)
        }
    }

    public let a: Trace
    public let b: Trace
    /// Depth-first, children in start order; spans only in one trace have the other side nil.
    public private(set) var rows: [Row] = []

    public init(_ a: Trace, _ b: Trace) {
        self.a = a
        self.b = b
        let (treeA, treeB) = (TraceTree(a), TraceTree(b))
        let (pathA, pathB) = (Self.pathTime(a), Self.pathTime(b))
        // Depth first with an explicit stack: a chain 100,000 deep is a valid trace.
        var stack = Self.pair(treeA.roots, in: a, startingAt: a.startTimeUnixNano, with: treeB.roots, in: b, startingAt: b.startTimeUnixNano)
            .reversed().map { (indexA: $0.0, indexB: $0.1, depth: 0) }
        while let (indexA, indexB, depth) = stack.popLast() {
            let spanA = indexA.map { a.spans[$0] }, spanB = indexB.map { b.spans[$0] }
            let timeA = spanA.flatMap { pathA[$0.spanID] }, timeB = spanB.flatMap { pathB[$0.spanID] }
            rows.append(Row(depth: depth, a: spanA, b: spanB, aPathNanos: timeA?.nanos ?? 0, bPathNanos: timeB?.nanos ?? 0,
                            isNetwork: timeA?.isNetwork ?? timeB?.isNetwork ?? false))
            let pairs = Self.pair(indexA.map { treeA.children[$0] } ?? [], in: a, startingAt: spanA?.startTimeUnixNano ?? 0,
                                  with: indexB.map { treeB.children[$0] } ?? [], in: b, startingAt: spanB?.startTimeUnixNano ?? 0)
            stack += pairs.reversed().map { (indexA: $0.0, indexB: $0.1, depth: depth + 1) }
        }
    }

    public var durationDeltaNanos: Int64 { Int64(b.durationNanos) - Int64(a.durationNanos) }

    /// Siblings paired by (service, name, occurrence), ordered by their offset from the parent's start.
    private static func pair(_ left: [Int], in a: Trace, startingAt startA: UInt64, with right: [Int], in b: Trace, startingAt startB: UInt64) -> [(Int?, Int?)] {
        struct Key: Hashable { var service: String, name: String, occurrence: Int }
        func keyed(_ indexes: [Int], _ trace: Trace) -> [(Key, Int)] {
            var seen: [String: Int] = [:]
            return indexes.map { index in
                let span = trace.spans[index]
                let base = span.serviceName + "\u{0}" + span.name
                defer { seen[base, default: 0] += 1 }
                return (Key(service: span.serviceName, name: span.name, occurrence: seen[base, default: 0]), index)
            }
        }
        let rightByKey = Dictionary(keyed(right, b), uniquingKeysWith: { first, _ in first })
        var used = Set<Int>()
        var pairs: [(offset: UInt64, pair: (Int?, Int?))] = []
        for (key, index) in keyed(left, a) {
            let match = rightByKey[key]
            if let match { used.insert(match) }
            pairs.append((a.spans[index].startTimeUnixNano &- startA, (index, match)))
        }
        for index in right where !used.contains(index) {
            pairs.append((b.spans[index].startTimeUnixNano &- startB, (nil, index)))
        }
        return pairs.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }.map(\.element.pair)
    }

    private static func pathTime(_ trace: Trace) -> [SpanID: (nanos: UInt64, isNetwork: Bool)] {
        CriticalPath(trace: trace).segments.reduce(into: [:]) { totals, segment in
            totals[segment.spanID, default: (0, segment.isNetwork)].nanos += segment.nanos
        }
    }

    // MARK: Verdict

    /// The spans that explain most of the difference: those whose change points the same way as
    /// the total, largest first, until they cover 80% of it (at most three).
    public var explanation: [(row: Row, share: Double)] {
        let total = rows.reduce(Int64(0)) { $0 + $1.contributionNanos }
        guard total != 0 else { return [] }
        let sameWay = rows.filter { $0.contributionNanos.signum() == total.signum() }
            .sorted { abs($0.contributionNanos) > abs($1.contributionNanos) }
        var picked: [(Row, Double)] = []
        var covered = 0.0
        for row in sameWay.prefix(3) {
            let share = Double(row.contributionNanos) / Double(total)
            picked.append((row, share))
            covered += share
            if covered >= 0.8 { break }
        }
        return picked
    }
}
