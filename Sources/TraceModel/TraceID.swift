/// A 16-byte W3C trace id; printed and parsed as 32 lowercase hex digits.
public struct TraceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Accepts exactly 16 bytes. Inlinable, so callers get it specialised for their collection
    /// (`Data`, `[UInt8]`): ids are parsed for every span received and read.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.init(high: bigEndianUInt64(bytes, from: 0), low: bigEndianUInt64(bytes, from: 8))
    }

    /// Accepts exactly 32 hex digits, either case.
    public init?(hex: some StringProtocol) {
        guard let (high, low) = withUTF8Bytes(of: hex, { bytes -> (UInt64, UInt64)? in
            guard bytes.count == 32, let high = UInt64(hexDigits: bytes[0..<16]), let low = UInt64(hexDigits: bytes[16..<32]) else { return nil }
            return (high, low)
        }) else { return nil }
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
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        self.init(bigEndianUInt64(bytes, from: 0))
    }

    /// Accepts exactly 16 hex digits, either case.
    public init?(hex: some StringProtocol) {
        guard let value = withUTF8Bytes(of: hex, { $0.count == 16 ? UInt64(hexDigits: $0[...]) : nil }) else { return nil }
        self.init(value)
    }

    public var bytes: [UInt8] { value.bigEndianBytes }
    public var hex: String { value.paddedHex }
    public var description: String { hex }
    public var isValid: Bool { value != 0 }

    public static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

/// Eight bytes of `bytes` from `offset`, most significant first; the caller checked the count.
@inlinable
func bigEndianUInt64(_ bytes: some Collection<UInt8>, from offset: Int) -> UInt64 {
    if let value = bytes.withContiguousStorageIfAvailable({ buffer in
        UInt64(bigEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }) { return value }
    var value: UInt64 = 0
    for byte in bytes.dropFirst(offset).prefix(8) { value = value << 8 | UInt64(byte) }
    return value
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }

    var paddedHex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Runs `body` on the text's UTF-8 bytes in place (a copy only for text that is not contiguous).
private func withUTF8Bytes<R>(of text: some StringProtocol, _ body: (UnsafeBufferPointer<UInt8>) -> R?) -> R? {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    return Array(text.utf8).withUnsafeBufferPointer(body)
}

extension UInt64 {
    /// Up to 16 hex digits, either case; nil for anything else. Ids are parsed for every span
    /// read, so this is a plain loop over bytes rather than the generic `init(_:radix:)`.
    init?(hexDigits digits: Slice<UnsafeBufferPointer<UInt8>>) {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            let nibble: UInt8
            switch digit {
            case 48...57: nibble = digit - 48
            case 97...102: nibble = digit - 87
            case 65...70: nibble = digit - 55
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        self = value
    }
}
