import Foundation
import TraceModel

/// OTLP/JSON files: one `ExportTraceServiceRequest` (pretty-printed or not), or JSON lines of them
/// as the OpenTelemetry Collector's file exporter writes, one request per line.
public enum OTLPJSONLines {
    /// One request of a file, not yet decoded: the line it starts on and its JSON.
    public struct Request: Sendable {
        public var line: Int
        public var json: Data

        /// Its spans, or why it was refused; each request is checked alone, as the receiver checks one.
        public func spans() -> Result<[Span], OTLPDecodingError> {
            do {
                return .success(try OTLPJSON.decodeRequest(json).spans())
            } catch let error as OTLPDecodingError {
                return .failure(error)
            } catch {
                return .failure(OTLPDecodingError("\(error)"))
            }
        }
    }

    /// The requests in a file, in order, found without decoding them. A file whose first line is a
    /// whole JSON value is JSON lines; any other file is one (pretty-printed) request.
    public static func requests(in data: Data) -> [Request] {
        var lines: [Request] = []
        var start = data.startIndex
        var number = 1
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            let line = data[start..<end]
            if line.contains(where: { !isBlank($0) }) { lines.append(Request(line: number, json: line)) }
            start = end < data.endIndex ? data.index(after: end) : end
            number += 1
        }
        guard let first = lines.first else { return [] }
        if lines.count > 1, (try? JSONSerialization.jsonObject(with: first.json, options: [.fragmentsAllowed])) == nil {
            return [Request(line: first.line, json: data)]
        }
        return lines
    }

    /// One line per request, as `requests(in:)` reads back.
    public static func line(for spans: [Span]) throws -> Data {
        var data = try OTLPJSON.encode(ExportTraceServiceRequest(spans: spans))
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
