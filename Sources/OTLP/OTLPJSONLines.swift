import Foundation
import TraceModel

/// OTLP/JSON files: one `ExportTraceServiceRequest` (pretty-printed or not), or JSON lines of them
/// as the OpenTelemetry Collector's file exporter writes, one request per line.
public enum OTLPJSONLines {
    /// One request of a file: the line it starts on and its spans, or why it was refused.
    public struct Entry: Sendable {
        public var line: Int
        public var spans: Result<[Span], OTLPDecodingError>
    }

    /// Every request in `data`, in file order. Each is validated alone, as the receiver validates a
    /// request: a bad one is refused whole and does not affect the others.
    public static func entries(in data: Data) -> [Entry] {
        let text = data.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
        guard !text.isEmpty else { return [] }
        // A whole-file object is a single (maybe pretty-printed) request.
        if (try? JSONSerialization.jsonObject(with: data)) is [String: Any] {
            return [Entry(line: 1, spans: decode(data))]
        }
        var entries: [Entry] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { continue }
            entries.append(Entry(line: index + 1, spans: decode(Data(line))))
        }
        return entries
    }

    /// One line per request, as `entries(in:)` reads back.
    public static func line(for spans: [Span]) throws -> Data {
        var data = try OTLPJSON.encode(ExportTraceServiceRequest(spans: spans))
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private static func decode(_ data: Data) -> Result<[Span], OTLPDecodingError> {
        do {
            return .success(try OTLPJSON.decodeRequest(data).spans())
        } catch let error as OTLPDecodingError {
            return .failure(error)
        } catch {
            return .failure(OTLPDecodingError("\(error)"))
        }
    }
}
