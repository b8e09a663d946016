import Foundation
import Synchronization

/// A one-line progress bar on stderr, redrawn at most ten times a second; silent when stderr
/// is not a terminal, so logs and pipes stay clean.
final class ProgressLine: Sendable {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let lastDraw = Mutex<UInt64>(0)

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        enabled = Terminal.stderrIsTerminal
    }

    var update: @Sendable (Int) -> Void {
        { [self] done in draw(done) }
    }

    private func draw(_ done: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let due = lastDraw.withLock { last in
            guard now - last > 100_000_000 || done == total else { return false }
            last = now
            return true
        }
        guard due else { return }
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) \(label)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
