import Foundation
import TraceModel

/// Attribute values as plain JSON for scripts: strings, numbers, booleans, arrays and objects
/// as themselves; bytes as base64; a NaN or infinite double as its name; an empty value as null.
public enum AttributeJSON {
    public static func value(_ value: AttributeValue) -> Any {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag
        case .int(let number): return number
        case .double(let number): return number.isFinite ? number : "\(number)"
        case .bytes(let bytes): return Data(bytes).base64EncodedString()
        case .array(let values): return values.map(Self.value)
        case .keyValueList(let pairs):
            var object: [String: Any] = [:]
            for pair in pairs { object[pair.key] = Self.value(pair.value) }
            return object
        case .empty: return NSNull()
        }
    }
}
