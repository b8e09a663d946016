import Foundation
import Synchronization

/// Progress on stderr: a bar redrawn ten times a second on a terminal, or a plain line every
/// two seconds when stderr is a log or a pipe, so long runs show they are alive either way.
final class ProgressLine: Sendable {
    private let total: Int
    private let label: String
    private let interactive: Bool
    private let lastDraw = Mutex<UInt64>(DispatchTime.now().uptimeNanoseconds)

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        interactive = Terminal.stderrIsTerminal
    }

    var update: @Sendable (Int) -> Void {
        { [self] done in draw(done) }
    }

    private func draw(_ done: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        let interval: UInt64 = interactive ? 100_000_000 : 2_000_000_000
        let due = lastDraw.withLock { last in
            guard now - last >= interval || (interactive && done == total) else { return false }
            last = now
            return true
        }
        guard due else { return }
        if interactive {
            let width = 30
            let filled = total > 0 ? min(width, done * width / total) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) \(label)".utf8))
        } else {
            FileHandle.standardError.write(Data("progress: \(done) of \(total) \(label)\n".utf8))
        }
    }

    func finish() {
        guard interactive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
