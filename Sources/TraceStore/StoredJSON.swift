import Foundation
import TraceModel

/// The JSON kept in attribute, event and link columns: the OTLP/JSON shapes, so `sqlite3` users
/// can read them with SQLite's json functions. Written by hand because it runs for every span stored.
enum StoredJSON {
    static func encode(_ attributes: [Attribute]) -> String {
        var out = ""
        out.reserveCapacity(64 * attributes.count + 2)
        writeAttributes(attributes, into: &out)
        return out
    }

    static func encode(_ events: [SpanEvent]) -> String {
        var out = "["
        for (index, event) in events.enumerated() {
            if index > 0 { out += "," }
            out += "{\"timeUnixNano\":\(event.timeUnixNano),\"name\":"
            writeString(event.name, into: &out)
            out += ",\"attributes\":"
            writeAttributes(event.attributes, into: &out)
            out += ",\"droppedAttributesCount\":\(event.droppedAttributesCount)}"
        }
        return out + "]"
    }

    static func encode(_ links: [SpanLink]) -> String {
        var out = "["
        for (index, link) in links.enumerated() {
            if index > 0 { out += "," }
            out += "{\"traceId\":\"\(link.traceID.hex)\",\"spanId\":\"\(link.spanID.hex)\",\"traceState\":"
            writeString(link.traceState, into: &out)
            out += ",\"attributes\":"
            writeAttributes(link.attributes, into: &out)
            out += ",\"droppedAttributesCount\":\(link.droppedAttributesCount),\"flags\":\(link.flags)}"
        }
        return out + "]"
    }

    private static func writeAttributes(_ attributes: [Attribute], into out: inout String) {
        out += "["
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { out += "," }
            out += "{\"key\":"
            writeString(attribute.key, into: &out)
            out += ",\"value\":"
            writeValue(attribute.value, into: &out)
            out += "}"
        }
        out += "]"
    }

    private static func writeValue(_ value: AttributeValue, into out: inout String) {
        switch value {
        case .string(let string):
            out += "{\"stringValue\":"
            writeString(string, into: &out)
            out += "}"
        case .bool(let bool): out += "{\"boolValue\":\(bool)}"
        case .int(let int): out += "{\"intValue\":\(int)}"
        case .double(let double):
            if double.isNaN { out += "{\"doubleValue\":\"NaN\"}" }
            else if double.isInfinite { out += "{\"doubleValue\":\"\(double < 0 ? "-" : "")Infinity\"}" }
            else if double == double.rounded(), abs(double) < 1e15 { out += "{\"doubleValue\":\(Int64(double)).0}" }
            else { out += "{\"doubleValue\":\(double)}" }
        case .bytes(let bytes): out += "{\"bytesValue\":\"\(Data(bytes).base64EncodedString())\"}"
        case .array(let values):
            out += "{\"arrayValue\":{\"values\":["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                writeValue(element, into: &out)
            }
            out += "]}}"
        case .keyValueList(let pairs):
            out += "{\"kvlistValue\":{\"values\":"
            writeAttributes(pairs, into: &out)
            out += "}}"
        case .empty: out += "{}"
        }
    }

    private static func writeString(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

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
