/// Every value an OTLP `AnyValue` can hold, arrays and nested maps included.
public indirect enum AttributeValue: Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([AttributeValue])
    case keyValueList([Attribute])
    /// An `AnyValue` with no field set: legal in OTLP and kept as such.
    case empty
}

/// One key/value pair; attribute lists keep the sender's order.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    public subscript(key: String) -> AttributeValue? {
        first { $0.key == key }?.value
    }
}

extension AttributeValue: CustomStringConvertible {
    /// A compact, human-readable rendering (not escaped for terminals).
    public var description: String {
        switch self {
        case .string(let value): return value
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bytes(let value): return "0x" + value.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        case .array(let values): return "[" + values.map(\.quotedDescription).joined(separator: ", ") + "]"
        case .keyValueList(let pairs): return "{" + pairs.map { "\($0.key): \($0.value.quotedDescription)" }.joined(separator: ", ") + "}"
        case .empty: return "(empty)"
        }
    }

    var quotedDescription: String {
        if case .string(let value) = self { return "\"\(value)\"" }
        return description
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
}
