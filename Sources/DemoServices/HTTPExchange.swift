import NIOCore

/// One timed step of an HTTP exchange, named as the span it becomes (`http.connect`, ...).
public struct HTTPPhase: Sendable, Equatable {
    public var name: String
    public var start: WallInstant
    public var end: WallInstant
}

/// A finished request/response pair with the timings of the I/O events that made it up.
public struct HTTPExchange: Sendable {
    public var status: Int
    public var body: ByteBuffer
    public var requestBodySize: Int
    /// In order: `http.dns` and `http.connect` only when they happened, then `http.send`, `http.wait`, `http.receive`.
    public var phases: [HTTPPhase]
    public var reusedConnection: Bool
    public var peerAddress: String?
    public var peerPort: Int?
}
