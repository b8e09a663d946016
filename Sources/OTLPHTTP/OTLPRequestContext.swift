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
}
