import TraceModel

/// Two runs' spans, operation by operation: what changed and whether the change is more than two
/// runs of the same workload differ by on a noisy machine. Spans of one run are not independent
/// samples (a busy moment slows all of them), so the test compares stretches of time: each run
/// is cut into blocks by start time, and a block's median is one observation.
public struct RunComparison: Sendable {
    /// One side's spans of one operation.
    public struct Sample: Sendable, Equatable {
        public var durations: [UInt64] = []
        /// Each span's start, beside its duration: what orders the blocks.
        public var starts: [UInt64] = []
        public var errors = 0
        public init() {}

        /// The medians of `count` consecutive stretches (by start time) of about equal size.
        public func blockMedians(_ count: Int) -> [Double] {
            let order = starts.indices.sorted { starts[$0] < starts[$1] }
            return (0..<count).map { block in
                let range = order.count * block / count ..< order.count * (block + 1) / count
                let values = range.map { durations[order[$0]] }.sorted()
                guard !values.isEmpty else { return 0 }
                return values.count % 2 == 1 ? Double(values[values.count / 2])
                    : (Double(values[values.count / 2 - 1]) + Double(values[values.count / 2])) / 2
            }
        }
        public var count: Int { durations.count }
        public var errorRate: Double { durations.isEmpty ? 0 : Double(errors) / Double(durations.count) }
    }

    /// Spans grouped by operation (service and name, or a `--by` value), and the error kinds seen.
    public struct Side: Sendable {
        public var operations: [String: Sample] = [:]
        /// "operation: status message" of every error span.
        public var errorKinds: Set<String> = []
        public var traces = 0
        public init() {}

        public mutating func add(operation: String, span: Span) {
            operations[operation, default: Sample()].durations.append(span.durationNanos)
            operations[operation]!.starts.append(span.startTimeUnixNano)
            if span.status.code == .error {
                operations[operation]!.errors += 1
                errorKinds.insert(span.status.message.isEmpty ? operation : "\(operation): \(span.status.message)")
            }
        }

        public mutating func merge(_ other: Side) {
            operations.merge(other.operations) { mine, theirs in
                var both = mine
                both.durations += theirs.durations
                both.starts += theirs.starts
                both.errors += theirs.errors
                return both
            }
            errorKinds.formUnion(other.errorKinds)
            traces += other.traces
        }
    }

    public enum Verdict: String, Sendable {
        case slower, faster, same
        case tooFew = "too few"
    }

    public struct Row: Sendable {
        public var operation: String
        public var baseline: Summary
        public var candidate: Summary
        /// The exact two-sided p-value of the block medians' rank-sum test; nil when a side has too few spans.
        public var pValue: Double?
        public var verdict: Verdict
    }

    public struct Summary: Sendable, Equatable {
        public var count: Int
        public var p50: UInt64
        public var p90: UInt64
        public var p99: UInt64
        public var errorRate: Double

        init(_ sample: Sample) {
            let percentiles = Percentiles(sample.durations)
            count = sample.count
            p50 = percentiles.value(at: 50) ?? 0
            p90 = percentiles.value(at: 90) ?? 0
            p99 = percentiles.value(at: 99) ?? 0
            errorRate = sample.errorRate
        }
    }

    /// Below this many spans a side (or two a block), no verdict: the test has too little to go on.
    public static let minimumCount = 10
    /// A change of the median smaller than this share is called the same, however significant:
    /// two runs of one workload on a shared machine differ by that much without any change to the code.
    public static let smallestMeaningfulChange = 0.25
    /// Nor smaller than this, for operations of a few microseconds.
    public static let smallestMeaningfulNanos: UInt64 = 50_000

    public let confidence: Double
    /// Blocks a run is cut into: the fewest whose test can reach the confidence (5 at 0.99).
    public let blocks: Int
    public let rows: [Row]
    /// Operations only the candidate has, and only the baseline.
    public let appeared: [String]
    public let vanished: [String]
    /// Error kinds the candidate has and the baseline did not.
    public let newErrors: [String]

    public init(baseline: Side, candidate: Side, confidence: Double) {
        self.confidence = confidence
        let alpha = 1 - confidence
        let blocks = Self.blockCount(confidence: confidence)
        self.blocks = blocks
        let fewest = max(Self.minimumCount, 2 * blocks)
        let common = Set(baseline.operations.keys).intersection(candidate.operations.keys)
        rows = common.sorted().map { operation in
            let a = baseline.operations[operation]!, b = candidate.operations[operation]!
            let before = Summary(a), after = Summary(b)
            guard a.count >= fewest, b.count >= fewest else {
                return Row(operation: operation, baseline: before, candidate: after, pValue: nil, verdict: .tooFew)
            }
            let blocksA = a.blockMedians(blocks), blocksB = b.blockMedians(blocks)
            let p = MannWhitney.exactPValue(blocksA, blocksB)
            let change = Double(after.p50) - Double(before.p50)
            // More than a run's own stretches differ by: a run that was slowed for a while says so itself.
            let drift = max(blocksA.max()! - blocksA.min()!, blocksB.max()! - blocksB.min()!)
            let meaningful = abs(change) >= max(Double(before.p50) * Self.smallestMeaningfulChange, Double(Self.smallestMeaningfulNanos))
                && abs(change) > drift
            let verdict: Verdict = if let p, p < alpha, meaningful { change > 0 ? .slower : .faster } else { .same }
            return Row(operation: operation, baseline: before, candidate: after, pValue: p, verdict: verdict)
        }
        appeared = Set(candidate.operations.keys).subtracting(baseline.operations.keys).sorted()
        vanished = Set(baseline.operations.keys).subtracting(candidate.operations.keys).sorted()
        newErrors = candidate.errorKinds.subtracting(baseline.errorKinds).sorted()
    }

    /// The fewest blocks a side for which the most extreme split (every block of one run above
    /// every block of the other) is rarer than 1 − confidence, two-sided: 2 / C(2k, k) < α.
    public static func blockCount(confidence: Double) -> Int {
        var k = 3
        while k < 12 {
            var ways = 1.0
            for i in 0..<k { ways = ways * Double(2 * k - i) / Double(i + 1) }
            if 2 / ways < 1 - confidence { return k }
            k += 1
        }
        return k
    }

    /// Whether any operation got slower: what `trace check`'s `no slower` asks.
    public var anySlower: Bool { rows.contains { $0.verdict == .slower } }
}
