/// Where a receiver listens, whatever its transport (how much it accepts is the ingestor's `maxBodyBytes`).
public struct ReceiverAddress: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported through the receiver's `onServerRunning`.
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }
}
