import Synchronization

/// swift-metrics handles made once per set of dimensions and reused: making one looks its series
/// up by label and dimensions, which per request cost the demo a tenth of its pace.
final class MetricHandles<Key: Hashable & Sendable, Handles: Sendable>: Sendable {
    private let made = Mutex<[Key: Handles]>([:])

    func handles(for key: Key, make: () -> Handles) -> Handles {
        made.withLock { made in
            if let handles = made[key] { return handles }
            let handles = make()
            made[key] = handles
            return handles
        }
    }
}
