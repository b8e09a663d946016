/// A 16-byte W3C trace id; printed and parsed as 32 lowercase hex digits.
public struct TraceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Accepts exactly 16 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Accepts exactly 32 hex digits, either case.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 32,
              let high = UInt64(hex.prefix(16), radix: 16),
              let low = UInt64(hex.suffix(16), radix: 16),
              hex.utf8.allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(high: high, low: low)
    }

    public var bytes: [UInt8] { high.bigEndianBytes + low.bigEndianBytes }
    public var hex: String { high.paddedHex + low.paddedHex }
    public var description: String { hex }
    public var isValid: Bool { high != 0 || low != 0 }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

/// An 8-byte span id; printed and parsed as 16 lowercase hex digits.
public struct SpanID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Accepts exactly 8 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        self.init(bytes.reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// Accepts exactly 16 hex digits, either case.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, hex.utf8.allSatisfy(\.isHexDigit), let value = UInt64(hex, radix: 16) else { return nil }
        self.init(value)
    }

    public var bytes: [UInt8] { value.bigEndianBytes }
    public var hex: String { value.paddedHex }
    public var description: String { hex }
    public var isValid: Bool { value != 0 }

    public static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }

    var paddedHex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self)
    }
}
