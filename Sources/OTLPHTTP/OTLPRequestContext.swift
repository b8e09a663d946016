import Hummingbird
import NIOCore

/// The receiver's request context: it keeps the connection, so a body refused for its size
/// can stop being read instead of being drained to its end.
public struct OTLPRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Reads nothing more from this connection; the response still goes out, then it closes.
    func stopReading() {
        channel.close(mode: .input, promise: nil)
    }

    /// The request's body, or nil when it is larger than `limit`: refused before it is read when
    /// its length is declared, or as soon as it passes the limit, the connection then closed rather
    /// than drained.
    public func body(of request: Request, limit: Int) async -> ByteBuffer? {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            stopReading()
            return nil
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            stopReading()
            return nil
        }
    }
}
