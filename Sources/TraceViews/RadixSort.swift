extension Array where Element == UInt64 {
    /// Sorts ascending by least-significant-digit radix sort, a byte a pass, skipping bytes every
    /// value shares (a duration's top bytes are zero): linear in the count, for the million-sample
    /// arrays `stats` sorts. Small arrays take the library sort.
    mutating func radixSort() {
        guard count > 512 else { return sort() }
        var histograms = [Int](repeating: 0, count: 8 * 256)
        for value in self {
            for digit in 0..<8 { histograms[digit << 8 | Int(truncatingIfNeeded: value >> (digit * 8)) & 0xFF] += 1 }
        }
        var buffer = [UInt64](repeating: 0, count: count)
        var inSelf = true
        for digit in 0..<8 {
            let base = digit << 8
            // A byte all values share moves nothing.
            if histograms[base ..< base + 256].contains(count) { continue }
            var offsets = [Int](repeating: 0, count: 256)
            var total = 0
            for byte in 0..<256 {
                offsets[byte] = total
                total += histograms[base + byte]
            }
            let shift = UInt64(digit * 8)
            if inSelf {
                for value in self { let byte = Int(truncatingIfNeeded: value >> shift) & 0xFF; buffer[offsets[byte]] = value; offsets[byte] += 1 }
            } else {
                for value in buffer { let byte = Int(truncatingIfNeeded: value >> shift) & 0xFF; self[offsets[byte]] = value; offsets[byte] += 1 }
            }
            inSelf.toggle()
        }
        if !inSelf { self = buffer }
    }
}
