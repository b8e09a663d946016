import Dispatch
import Foundation

/// Turns the first Ctrl-C (or SIGTERM) into a call, so a command can stop cleanly;
/// a second one ends the process at once.
final class InterruptSignal: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var fired = false

    var wasFired: Bool { lock.withLock { fired } }

    init(signals: [Int32] = [SIGINT, SIGTERM], onInterrupt: @escaping @Sendable () -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let first = self.lock.withLock { () -> Bool in
                    defer { self.fired = true }
                    return !self.fired
                }
                if first {
                    for restored in signals { signal(restored, SIG_DFL) }
                    onInterrupt()
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
