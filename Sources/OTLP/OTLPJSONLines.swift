import Foundation
import TraceModel

/// OTLP/JSON files: one `ExportTraceServiceRequest` (pretty-printed or not), or JSON lines of them
/// as the OpenTelemetry Collector's file exporter writes, one request per line.
public enum OTLPJSONLines {
    /// One request of a file, not yet decoded: the line it starts on and its JSON.
    public struct Request: Sendable {
        public var line: Int
        public var json: Data

        /// What a line holds: a trace request's spans, or a logs request's records.
        public enum Content: Sendable {
            case spans([Span])
            case logRecords([LogRecord])
        }

        /// Its spans, or why it was refused; each request is checked alone, as the receiver checks one.
        public func spans() -> Result<[Span], OTLPDecodingError> {
            decoded { try OTLPJSON.decodeRequest(json).spans() }
        }

        /// Its spans or log records (an `ExportLogsServiceRequest`, as the Collector's file
        /// exporter writes beside the trace lines), or why it was refused. A record with a
        /// malformed id refuses the request, as a span's does.
        public func content() -> Result<Content, OTLPDecodingError> {
            guard isLogsRequest else { return spans().map(Content.spans) }
            return decoded {
                let decoded = try OTLPJSON.decode(json, as: ExportLogsServiceRequest.self).decodedLogRecords()
                if let problem = decoded.rejected.first { throw problem }
                return .logRecords(decoded.records)
            }
        }

        /// Whether its first key is `resourceLogs`: an OTLP request object has one key, and
        /// looking at it costs nothing where parsing would cost the decode twice.
        var isLogsRequest: Bool {
            let key = Array("\"resourceLogs\"".utf8)
            guard let brace = json.firstIndex(of: UInt8(ascii: "{")) else { return false }
            guard let start = json[json.index(after: brace)...].firstIndex(where: { !OTLPJSONLines.isBlank($0) && $0 != UInt8(ascii: "\n") }) else { return false }
            return json[start...].starts(with: key)
        }

        private func decoded<T>(_ body: () throws -> T) -> Result<T, OTLPDecodingError> {
            do {
                return .success(try body())
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
        // Through the raw bytes: `Data`'s own iterator checks exclusive access on every byte,
        // which was a quarter of a `trace import`.
        let lines = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> [Request] in
            guard let base = bytes.baseAddress else { return [] }
            var lines: [Request] = []
            var start = 0
            var number = 1
            while start < bytes.count {
                let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
                let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
                if bytes[start..<end].contains(where: { !isBlank($0) }) {
                    lines.append(Request(line: number, json: data[(data.startIndex + start)..<(data.startIndex + end)]))
                }
                start = end + 1
                number += 1
            }
            return lines
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

    /// One line of log records, as `requests(in:)` reads back.
    public static func line(for records: [LogRecord]) throws -> Data {
        var data = try OTLPJSON.encode(ExportLogsServiceRequest(records: records))
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
