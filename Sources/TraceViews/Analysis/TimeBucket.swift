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

/// A `TimeBucket` whose service is a `TimedSpan`'s key: a number while whole-file statistics
/// add up, a name once they are shown.
enum Bucket<Key: Hashable & Sendable>: Hashable, Sendable {
    case service(Key)
    case network
    case outsideRootSpan

    func map<New>(_ transform: (Key) -> New) -> Bucket<New> {
        switch self {
        case .service(let key): .service(transform(key))
        case .network: .network
        case .outsideRootSpan: .outsideRootSpan
        }
    }
}

extension TimeBucket {
    init(_ bucket: Bucket<String>) {
        switch bucket {
        case .service(let name): self = .service(name)
        case .network: self = .network
        case .outsideRootSpan: self = .outsideRootSpan
        }
    }
}
