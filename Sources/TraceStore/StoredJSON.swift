import Foundation
import TraceModel

/// The JSON that v1 kept in attribute, event and link columns (the OTLP/JSON shapes); read only
/// to convert a v1 file.
enum StoredJSON {
    // MARK: Decoding

    static func decodeAttributes(_ text: String) throws -> [Attribute] {
        try decodeArray(text, of: StoredAttribute.self).map(\.attribute)
    }

    static func decodeEvents(_ text: String) throws -> [SpanEvent] {
        try decodeArray(text, of: StoredEvent.self).map(\.event)
    }

    static func decodeLinks(_ text: String) throws -> [SpanLink] {
        try decodeArray(text, of: StoredLink.self).compactMap(\.link)
    }

    /// Most spans have no events or links: "[]" skips the decoder, which costs microseconds a call.
    private static func decodeArray<Element: Decodable>(_ text: String, of: Element.Type) throws -> [Element] {
        text == "[]" ? [] : try JSONDecoder().decode([Element].self, from: Data(text.utf8))
    }
}

private struct StoredAttribute: Decodable {
    var key: String
    var value: StoredValue
    var attribute: Attribute { Attribute(key, value.value) }
}

private struct StoredValue: Decodable {
    var value: AttributeValue

    private enum Key: String, CodingKey {
        case stringValue, boolValue, intValue, doubleValue, bytesValue, arrayValue, kvlistValue, values
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        if let string = try container.decodeIfPresent(String.self, forKey: .stringValue) {
            value = .string(string)
        } else if let bool = try container.decodeIfPresent(Bool.self, forKey: .boolValue) {
            value = .bool(bool)
        } else if let int = try container.decodeIfPresent(Int64.self, forKey: .intValue) {
            value = .int(int)
        } else if container.contains(.doubleValue) {
            if let double = try? container.decode(Double.self, forKey: .doubleValue) {
                value = .double(double)
            } else {
                let text = try container.decode(String.self, forKey: .doubleValue)
                value = .double(text == "NaN" ? .nan : text.hasPrefix("-") ? -.infinity : .infinity)
            }
        } else if let base64 = try container.decodeIfPresent(String.self, forKey: .bytesValue) {
            value = .bytes(Array(Data(base64Encoded: base64) ?? Data()))
        } else if container.contains(.arrayValue) {
            let nested = try container.nestedContainer(keyedBy: Key.self, forKey: .arrayValue)
            value = .array(try nested.decode([StoredValue].self, forKey: .values).map(\.value))
        } else if container.contains(.kvlistValue) {
            let nested = try container.nestedContainer(keyedBy: Key.self, forKey: .kvlistValue)
            value = .keyValueList(try nested.decode([StoredAttribute].self, forKey: .values).map(\.attribute))
        } else {
            value = .empty
        }
    }
}

private struct StoredEvent: Decodable {
    var timeUnixNano: UInt64
    var name: String
    var attributes: [StoredAttribute]
    var droppedAttributesCount: UInt32
    var event: SpanEvent {
        SpanEvent(timeUnixNano: timeUnixNano, name: name, attributes: attributes.map(\.attribute), droppedAttributesCount: droppedAttributesCount)
    }
}

private struct StoredLink: Decodable {
    var traceId: String
    var spanId: String
    var traceState: String
    var attributes: [StoredAttribute]
    var droppedAttributesCount: UInt32
    var flags: UInt32
    var link: SpanLink? {
        guard let traceID = TraceID(hex: traceId), let spanID = SpanID(hex: spanId) else { return nil }
        return SpanLink(traceID: traceID, spanID: spanID, traceState: traceState, attributes: attributes.map(\.attribute), droppedAttributesCount: droppedAttributesCount, flags: flags)
    }
}
