import Foundation
import SwiftProtobuf
import TraceModel

/// The OTLP/JSON encoding: proto3 JSON, except that trace and span ids are hex, not base64,
/// and enums are integers. swift-protobuf does the rest; this only translates the ids.
public enum OTLPJSON {
    private static let idKeys: Set<String> = ["traceId", "spanId", "parentSpanId"]

    public static func decodeRequest(_ data: Data) throws -> ExportTraceServiceRequest {
        try decode(data, as: ExportTraceServiceRequest.self)
    }

    /// Any OTLP request (traces, logs) from OTLP/JSON.
    public static func decode<Request: SwiftProtobuf.Message>(_ data: Data, as type: Request.Type) throws -> Request {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        // The quick way: ids rewritten in place and one parse. Anything it cannot take goes the
        // careful way below, which also finds the words for what is wrong.
        if let rewritten = base64IDs(in: data), let request = try? Request(jsonUTF8Data: rewritten, options: options) {
            return request
        }
        return try decodeCarefully(data, as: type, options: options)
    }

    private static func decodeCarefully<Request: SwiftProtobuf.Message>(_ data: Data, as type: Request.Type, options: JSONDecodingOptions) throws -> Request {
        let name = Request.protoMessageName.split(separator: ".").last.map(String.init) ?? Request.protoMessageName
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw OTLPDecodingError("body is not valid JSON")
        }
        guard object is [String: Any] else { throw OTLPDecodingError("body must be a JSON object (an \(name))") }
        let translated = try rewriteIDs(object, path: "$") { text, path in
            guard let base64 = protobufID(text) else { throw OTLPDecodingError("\(path) must be a hex string, got \"\(text.prefix(40))\"") }
            return base64
        }
        do {
            let json = try JSONSerialization.data(withJSONObject: translated)
            return try Request(jsonUTF8Data: json, options: options)
        } catch let error as JSONDecodingError {
            throw OTLPDecodingError("not an OTLP \(name): \(error)")
        }
    }

    /// Any OTLP message (a request of either signal, a response) as OTLP/JSON: hex ids, enums as
    /// numbers, escaped for terminals. One encoder, so no message can leave with proto3's base64 ids.
    public static func encode(_ request: some SwiftProtobuf.Message, prettyPrinted: Bool = false) throws -> Data {
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        // Escaped as well: an export file or `show --format otlp-json` printed on a terminal is inert.
        let compact = TerminalSafety.escapingJSON(hexIDs(in: try request.jsonUTF8Data(options: options)))
        guard prettyPrinted else { return compact }
        return TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: compact), options: [.prettyPrinted, .sortedKeys]))
    }

    /// Rewrites swift-protobuf's base64 ids as hex, in place: its output is compact, and inside
    /// a JSON string a quote is always escaped, so `"traceId":"` can only be a key. Parsing and
    /// re-serialising instead costs most of an export's time.
    static func hexIDs(in json: Data) -> Data {
        let keys = idKeys.map { Array("\"\($0)\":\"".utf8) }
        return rewritingAtQuotes(json) { bytes, quote in
            guard let key = keys.first(where: { bytes[quote...].starts(with: $0) }),
                  let end = bytes[(quote + key.count)...].firstIndex(of: UInt8(ascii: "\""))
            else { return nil }
            var replacement = key
            for byte in Data(base64Encoded: Data(bytes[(quote + key.count)..<end])) ?? Data() {
                replacement.append(hexDigits[Int(byte >> 4)])
                replacement.append(hexDigits[Int(byte & 0xF)])
            }
            return (replacement, end)
        }
    }

    /// `json` copied, with the bytes from some quotes on replaced: `rewrite`, called at each quote
    /// (its index), answers with the replacement and the index copying resumes at, or nil to leave
    /// them. The runs between replacements are copied whole, never byte by byte.
    private static func rewritingAtQuotes(_ json: Data, _ rewrite: (UnsafeBufferPointer<UInt8>, Int) throws -> (replacement: [UInt8], resume: Int)?) rethrows -> Data {
        try json.withUnsafeBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            // An array, not `Data`: a byte appended to `Data` goes through `replaceSubrange`.
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 8)
            var copied = 0
            var scan = 0
            while let quote = bytes[scan...].firstIndex(of: UInt8(ascii: "\"")) {
                guard let (replacement, resume) = try rewrite(bytes, quote) else {
                    scan = quote + 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<quote]))
                out += replacement
                copied = resume
                scan = resume
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            return Data(out)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// An id as proto3 JSON wants it (base64), from OTLP/JSON's hex. Padded base64, which some
    /// exporters send (swift-otel 1.6's http/json, proto3 JSON's own mapping), is taken as it is:
    /// hex never contains `=`, so the two cannot be confused.
    static func protobufID(_ text: String) -> String? {
        if let bytes = bytes(fromHex: text) { return Data(bytes).base64EncodedString() }
        guard text.hasSuffix("="), Data(base64Encoded: text) != nil else { return nil }
        return text
    }

    /// The other way round: each id key (`"traceId" : "hex"`, any white space) gets its value as
    /// base64; nil when a value is not plain hex. A quoted string followed by a colon is a key.
    static func base64IDs(in json: Data) -> Data? {
        struct NotHex: Error {}
        let keys = idKeys.map { Array("\"\($0)\"".utf8) }
        return try? rewritingAtQuotes(json) { bytes, quote in
            guard let key = keys.first(where: { bytes[quote...].starts(with: $0) }) else { return nil }
            func skipBlanks(_ position: inout Int) {
                while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
            }
            var position = quote + key.count
            skipBlanks(&position)
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            skipBlanks(&position)
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\""),
                  let end = bytes[(position + 1)...].firstIndex(of: UInt8(ascii: "\"")),
                  let base64 = protobufID(String(decoding: bytes[(position + 1)..<end], as: UTF8.self))
            else { throw NotHex() }
            return (key + Array(":\"".utf8) + Array(base64.utf8) + [UInt8(ascii: "\"")], end + 1)
        }
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
