import Testing
@testable import TraceViews

/// `stats` sorts its samples with `radixSort`; percentiles are only exact if it sorts exactly as
/// the library sort does.
@Suite struct RadixSortTests {
    /// A small seeded generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [0, 1, 2, 511, 512, 513, 4_096, 100_000])
    func sortsAsTheLibraryDoes(count: Int) {
        var random = SplitMix(state: UInt64(count))
        let samples: [(String, [UInt64])] = [
            ("durations", (0..<count).map { _ in UInt64.random(in: 0...20_000_000_000, using: &random) }),
            ("full width", (0..<count).map { _ in random.next() }),
            ("few values", (0..<count).map { _ in UInt64.random(in: 0...3, using: &random) << 40 }),
            ("all equal", Array(repeating: 42, count: count)),
            ("descending", (0..<count).map { UInt64(count - $0) }),
            ("extremes", (0..<count).map { $0 % 2 == 0 ? .max : 0 }),
        ]
        for (label, values) in samples {
            var sorted = values
            sorted.radixSort()
            #expect(sorted == values.sorted(), "\(label), \(count) values")
        }
    }
}
