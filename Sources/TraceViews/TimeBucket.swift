/// Where a stretch of a trace's time is counted: in one service's own work, or between
/// services. A type rather than a name, so a service called `network` stays a service.
public enum TimeBucket: Hashable, Sendable {
    case service(String)
    /// A client waiting on another service: on the wire and in queues.
    case network
    /// Time of the trace the root span does not cover: spans of other roots, or orphans.
    case outsideRootSpan

    /// How the bucket reads in text; a service that happens to be named `network` says so.
    public var label: String {
        switch self {
        case .network: "network"
        case .outsideRootSpan: "outside the root span"
        case .service(let name): name == "network" ? "network (service)" : name
        }
    }

    public var serviceName: String? {
        if case .service(let name) = self { return name }
        return nil
    }
}
