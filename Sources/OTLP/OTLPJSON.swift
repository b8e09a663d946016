import Foundation
import SwiftProtobuf

/// The OTLP/JSON encoding: proto3 JSON, except that trace and span ids are hex, not base64,
/// and enums are integers. swift-protobuf does the rest; this only translates the ids.
public enum OTLPJSON {
    private static let idKeys: Set<String> = ["traceId", "spanId", "parentSpanId"]

    public static func decodeRequest(_ data: Data) throws -> ExportTraceServiceRequest {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw OTLPDecodingError("body is not valid JSON")
        }
        guard object is [String: Any] else { throw OTLPDecodingError("body must be a JSON object (an ExportTraceServiceRequest)") }
        let translated = try rewriteIDs(object, path: "$") { hex, path in
            guard let bytes = bytes(fromHex: hex) else { throw OTLPDecodingError("\(path) must be a hex string, got \"\(hex.prefix(40))\"") }
            return Data(bytes).base64EncodedString()
        }
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        do {
            let json = try JSONSerialization.data(withJSONObject: translated)
            return try ExportTraceServiceRequest(jsonUTF8Data: json, options: options)
        } catch let error as JSONDecodingError {
            throw OTLPDecodingError("not an OTLP ExportTraceServiceRequest: \(error)")
        }
    }

    public static func encode(_ request: ExportTraceServiceRequest, prettyPrinted: Bool = false) throws -> Data {
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        let protoJSON = try request.jsonUTF8Data(options: options)
        let object = try JSONSerialization.jsonObject(with: protoJSON)
        let translated = try rewriteIDs(object, path: "$") { base64, _ in
            (Data(base64Encoded: base64) ?? Data()).map { String(format: "%02x", $0) }.joined()
        }
        return try JSONSerialization.data(withJSONObject: translated, options: prettyPrinted ? [.prettyPrinted, .sortedKeys] : [.sortedKeys])
    }

    static func encode(_ message: some SwiftProtobuf.Message) throws -> Data {
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        return try message.jsonUTF8Data(options: options)
    }

    private static func rewriteIDs(_ value: Any, path: String, _ transform: (String, String) throws -> String) throws -> Any {
        if var dictionary = value as? [String: Any] {
            for (key, element) in dictionary {
                let elementPath = path + "." + key
                if idKeys.contains(key), let string = element as? String {
                    dictionary[key] = try transform(string, elementPath)
                } else if element is [String: Any] || element is [Any] {
                    dictionary[key] = try rewriteIDs(element, path: elementPath, transform)
                }
            }
            return dictionary
        }
        if let array = value as? [Any] {
            return try array.enumerated().map { try rewriteIDs($1, path: "\(path)[\($0)]", transform) }
        }
        return value
    }

    private static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}
