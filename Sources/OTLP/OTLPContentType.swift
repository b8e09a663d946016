/// The two OTLP/HTTP body encodings.
public enum OTLPContentType: String, Sendable {
    case protobuf = "application/x-protobuf"
    case json = "application/json"

    /// Parses a Content-Type header value, ignoring parameters such as `charset`.
    public init?(header: String) {
        let mediaType = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        self.init(rawValue: mediaType)
    }
}
