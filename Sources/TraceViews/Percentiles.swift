/// Exact percentiles of a sample by the nearest-rank method.
public struct Percentiles: Sendable {
    public let sorted: [UInt64]

    public init(_ values: [UInt64]) { sorted = values.sorted() }

    /// `p` in 0...100; nil for an empty sample.
    public func value(at p: Double) -> UInt64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    public var maximum: UInt64? { sorted.last }
}
