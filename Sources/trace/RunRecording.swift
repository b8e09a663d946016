import Foundation
import TraceModel
import TraceStore
import TraceViews

/// Records a command's session in the file as a run: begun before anything arrives, finished with
/// its exit code and counts. A session that fails before recording anything is forgotten again.
struct RunRecording {
    let store: TraceStore
    let run: RecordedRun

    static func around<T>(_ kind: RecordedRun.Kind, label: String?, in store: TraceStore,
                          exitCode: (T) -> Int32 = { _ in 0 }, _ body: (RunRecording) async throws -> T) async throws -> T {
        let recording = RunRecording(store: store, run: try store.beginRun(kind, label: label, commandLine: commandLine, startUnixNano: now))
        let result: T
        do {
            result = try await body(recording)
        } catch {
            let finished = try? store.finishRun(recording.run.id, endUnixNano: now, exitCode: 1)
            if finished?.totals?.traces == 0, finished?.totals?.logRecords == 0 { try? store.deleteRun(recording.run.id) }
            throw error
        }
        try store.finishRun(recording.run.id, endUnixNano: now, exitCode: exitCode(result))
        return result
    }

    static var now: UInt64 { UInt64(Date().timeIntervalSince1970 * 1e9) }

    /// The command as typed, for the listing: `trace run --requests 100`.
    static var commandLine: String {
        (["trace"] + CommandLine.arguments.dropFirst().map(TerminalText.shellQuoted)).joined(separator: " ")
    }
}
