import AsyncHTTPClient
import Foundation
import OTLP
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TraceModel

/// Pushes requests to an OTLP/HTTP collector as protobuf or JSON, one request per call, and waits
/// out the collector's back-pressure: 429 and 503 (and 502, 504, connection failures) are retried
/// after the `Retry-After` the collector asked for, or after an exponential backoff when it gave none.
public final class OTLPExportClient: OTLPExporting {
    public struct Configuration: Sendable {
        /// Attempts per request, the first included.
        public var maxAttempts = 6
        /// Backoff before the second attempt when the collector gives no Retry-After; doubles each time.
        public var initialBackoff: Duration = .milliseconds(500)
        /// The longest wait between attempts, whatever Retry-After says.
        public var maxBackoff: Duration = .seconds(30)
        public var requestTimeout: TimeAmount = .seconds(10)
        /// How long a new connection may take before the attempt counts as failed.
        public var connectTimeout: TimeAmount = .seconds(5)

        public init() {}

        /// One attempt and a short timeout: for forwarding, where a collector that is down or slow
        /// must cost a counted failure, not a queue that backs up behind retries.
        public static var forwarding: Self {
            var configuration = Self()
            configuration.maxAttempts = 1
            configuration.requestTimeout = .seconds(5)
            return configuration
        }
    }

    /// A collector refused a request for good (a 4xx other than 429), or kept refusing it.
    public struct ExportError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// What one attempt came to: sent, or worth another try (after the collector's delay, if it
    /// named one, else the backoff). Refusals for good are thrown as `ExportError`.
    public enum Attempt: Sendable {
        case sent
        case retry(problem: String, after: Duration?)
    }

    public let endpoint: String
    public let encoding: OTLPContentType
    let configuration: Configuration
    private let client: HTTPClient
    private let sleep: @Sendable (Duration) async throws -> Void
    private let onRetry: @Sendable (_ problem: String, _ wait: Duration) -> Void

    /// `endpoint` is a collector's base URL (`http://host:4318`) or its full `/v1/traces` URL;
    /// with `exactURL`, the URL requests are posted to whatever its path.
    public init(endpoint: String, exactURL: Bool = false, encoding: OTLPContentType = .protobuf, configuration: Configuration = Configuration(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                onRetry: @escaping @Sendable (_ problem: String, _ wait: Duration) -> Void = { _, _ in }) {
        self.endpoint = exactURL ? endpoint : OTLPEndpoint.tracesURL(for: endpoint)
        self.encoding = encoding
        self.configuration = configuration
        self.sleep = sleep
        self.onRetry = onRetry
        // This client backs off and retries itself, so a refused connection should fail at once, not
        // be retried inside AsyncHTTPClient until the request's deadline.
        var http = HTTPClient.Configuration()
        http.connectionPool.retryConnectionEstablishment = false
        http.timeout.connect = configuration.connectTimeout
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Where a signal's requests go: the traces URL with its `/v1/traces` for the signal's path.
    func url(for signal: Signal) throws(ExportError) -> String {
        guard signal != .traces else { return endpoint }
        guard endpoint.hasSuffix(Signal.traces.httpPath) else {
            throw ExportError(description: "no \(signal.rawValue) URL: \(endpoint) does not end in /v1/traces, so the path for \(signal.rawValue) cannot be derived from it")
        }
        return String(endpoint.dropLast(Signal.traces.httpPath.count)) + signal.httpPath
    }

    @discardableResult
    public func send(encodedRequest: Data, signal: Signal) async throws -> Int {
        let body = ByteBuffer(data: encodedRequest)
        let endpoint = try url(for: signal)
        return try await configuration.retrying(sleep: sleep, onRetry: onRetry) { [client, configuration, encoding] in
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: encoding.rawValue)
            request.body = .bytes(body)
            do {
                let response = try await client.execute(request, timeout: configuration.requestTimeout)
                let answer = try await response.body.collect(upTo: 1 << 20)
                let status = response.status.code
                if (200..<300).contains(status) { return .sent }
                let problem = "\(endpoint) answered \(status)" + Self.message(in: answer, contentType: response.headers.first(name: "Content-Type"))
                guard [429, 502, 503, 504].contains(status) else { throw ExportError(description: problem) }
                return .retry(problem: problem, after: response.headers.first(name: "Retry-After").flatMap(Self.retryAfter))
            } catch let error as ExportError {
                throw error
            } catch is HTTPParserError {
                // An answer that is not HTTP/1.1 will not become one on a retry: most likely a gRPC port.
                throw ExportError(description: "\(endpoint) did not answer in HTTP: it is not an OTLP/HTTP endpoint"
                    + OTLPEndpoint.portHint(endpoint, sending: encoding == .json ? .httpJSON : .httpProtobuf))
            } catch let error as IOError {
                return .retry(problem: "cannot reach \(endpoint): \(String(cString: strerror(error.errnoCode)))", after: nil)
            } catch {
                return .retry(problem: "cannot reach \(endpoint): \(error)", after: nil)
            }
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static func retryAfter(_ value: String) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000)))
    }

    /// The collector's explanation: a google.rpc.Status message, or the start of a text body.
    private static func message(in body: ByteBuffer, contentType: String?) -> String {
        let data = Data(buffer: body)
        guard !data.isEmpty else { return "" }
        if contentType.flatMap(OTLPContentType.init(header:)) == .protobuf, let status = try? Google_Rpc_Status(serializedBytes: data), !status.message.isEmpty {
            return ": \(status.message)"
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let message = object["message"] as? String {
            return ": \(message)"
        }
        let text = String(decoding: data.prefix(200), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return text.isEmpty ? "" : ": \(text)"
    }
}

extension OTLPExportClient.Configuration {
    /// Runs `attempt` until it sends, up to `maxAttempts` times, waiting between tries as the
    /// collector asked (capped at `maxBackoff`) or with a doubling backoff; returns the retries.
    public func retrying(sleep: @Sendable (Duration) async throws -> Void,
                         onRetry: (_ problem: String, _ wait: Duration) -> Void,
                         _ attempt: () async throws -> OTLPExportClient.Attempt) async throws -> Int {
        var backoff = initialBackoff
        var lastProblem = ""
        for number in 1...maxAttempts {
            guard case .retry(let problem, let asked) = try await attempt() else { return number - 1 }
            lastProblem = problem
            guard number < maxAttempts else { break }
            let pause = min(asked ?? backoff, maxBackoff)
            onRetry(problem, pause)
            try await sleep(pause)
            backoff = min(backoff * 2, maxBackoff)
        }
        throw OTLPExportClient.ExportError(description: maxAttempts == 1 ? lastProblem : "\(lastProblem) (gave up after \(maxAttempts) attempts)")
    }
}
