import OTLP

/// Why a request was refused. The one place that says what each refusal is on the wire: its
/// HTTP status and its gRPC status code, as the OTLP specification assigns them.
public enum IngestError: Error, Equatable, CustomStringConvertible {
    case badRequest(String)
    case tooLarge(limit: Int)
    case unsupportedMediaType(String)
    /// The store could not take the rows (anything but the request's own fault).
    case storeFailed(String)
    /// The storage cannot take rows now (a full disk, a read-only file) but may later: senders should retry.
    case storageUnavailable(String)
}

extension IngestError {
    /// Why a compressed body or message was refused, in the words both transports answer with.
    public init(_ failure: GzipBody.Failure, limit: Int) {
        switch failure {
        case .tooLarge: self = .tooLarge(limit: limit)
        case .truncated: self = .badRequest("gzip body is truncated: the stream stops before its end")
        case .trailingBytes(let count): self = .badRequest("gzip body has \(count) bytes after the end of the stream")
        case .invalid(let reason): self = .badRequest("body is not valid gzip (\(reason))")
        }
    }

    public var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .storeFailed: 500
        case .storageUnavailable: 503
        }
    }

    /// Seconds a sender should wait before retrying (HTTP `Retry-After`), for refusals worth retrying.
    public var retryAfterSeconds: Int? {
        if case .storageUnavailable = self { return 5 }
        return nil
    }

    /// The gRPC status code (INVALID_ARGUMENT 3, RESOURCE_EXHAUSTED 8, INTERNAL 13, UNAVAILABLE 14, which exporters retry).
    public var grpcStatusCode: Int {
        switch self {
        case .badRequest, .unsupportedMediaType: 3
        case .tooLarge: 8
        case .storeFailed: 13
        case .storageUnavailable: 14
        }
    }

    public var description: String { message }

    public var message: String {
        switch self {
        case .badRequest(let message), .unsupportedMediaType(let message): message
        case .tooLarge(let limit): "request is larger than \(limit) bytes (measured after decompression)"
        case .storeFailed(let reason): "could not store the request: \(reason)"
        case .storageUnavailable(let reason): "cannot store the request now: \(reason); retry later"
        }
    }
}
