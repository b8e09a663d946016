import Synchronization

/// What a command hears about the storage: that it stopped taking rows (and why), and that it
/// takes them again (with how many requests were turned away meanwhile).
public enum StorageEvent: Sendable, Equatable {
    case unavailable(reason: String)
    case recovered(turnedAway: Int)
}

/// Whether the store is taking rows, told once when that changes: a full disk is reported when
/// the first request is refused for it, not for every one after.
final class StorageHealth: Sendable {
    private struct State {
        var outage: String?
        var turnedAway = 0
    }

    private let state = Mutex(State())
    private let report: @Sendable (StorageEvent) -> Void

    init(report: @escaping @Sendable (StorageEvent) -> Void) { self.report = report }

    func refused(because reason: String) {
        let first = state.withLock { state -> Bool in
            state.turnedAway += 1
            guard state.outage == nil else { return false }
            state.outage = reason
            return true
        }
        if first { report(.unavailable(reason: reason)) }
    }

    func stored() {
        let turnedAway = state.withLock { state -> Int? in
            guard state.outage != nil else { return nil }
            defer { state = State() }
            return state.turnedAway
        }
        if let turnedAway { report(.recovered(turnedAway: turnedAway)) }
    }
}
