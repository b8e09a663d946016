import ArgumentParser
import Foundation
import OTLP
import TraceIngest
import TraceModel
import TraceStore
import TraceViews

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store traces and log records from OTLP/JSON files.",
        discussion: """
            Each FILE holds one OTLP/JSON ExportTraceServiceRequest, or JSON lines of them (and of \
            ExportLogsServiceRequests, whose log records are stored too) as the OpenTelemetry Collector's \
            file exporter writes (`trace export --output` writes the same). `-` reads standard input. \
            Every request is checked as `trace collect` checks one: a bad request is refused whole and reported \
            with its file and line, the others are stored; spans already stored are counted, not stored twice.
            """)

    @Argument(help: ArgumentHelp("OTLP/JSON files, or - for standard input.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to import (or - for standard input)") }
        guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("standard input (-) can be read only once") }
    }

    func run() async throws {
        // Every input is opened first: an unreadable file stops the import before anything is stored.
        let inputs = try files.map { file -> (name: String, requests: [OTLPJSONLines.Request]) in
            (file == "-" ? "stdin" : file, OTLPJSONLines.requests(in: try Self.contents(of: file)))
        }
        let total = inputs.reduce(0) { $0 + $1.requests.count }
        guard total > 0 else { throw UserFacingError("nothing to import: \(files.joined(separator: ", ")) held no OTLP requests") }
        var rejected: [String] = []
        try await database.withStoreForWriting { store in
            let progress = ProgressLine(total: total, label: "requests imported")
            var inserted = 0, duplicates = 0, accepted = 0, done = 0
            var traces = Set<TraceID>()
            // Valid requests are stored a few thousand spans per transaction: one per request
            // would spend most of the time committing.
            var pending: [Span] = []
            let ingestor = Ingestor(store: store)
            // One batch commits while the next is decoded; batches still commit one after another.
            var committing: Task<IngestOutcome, any Error>?
            func finishCommitting() async throws {
                guard let batch = committing else { return }
                committing = nil
                let outcome = try await batch.value
                inserted += outcome.inserted
                duplicates += outcome.duplicates
            }
            func insert(_ spans: [Span]) async throws {
                try await finishCommitting()
                committing = Task { try await ingestor.ingest(.spans(spans)) }
            }
            var pendingLogs: [LogRecord] = []
            var logsInserted = 0, logDuplicates = 0
            func insertLogs() async throws {
                guard !pendingLogs.isEmpty else { return }
                let outcome = try await ingestor.ingest(.logRecords(pendingLogs))
                (logsInserted, logDuplicates) = (logsInserted + outcome.inserted, logDuplicates + outcome.duplicates)
                pendingLogs.removeAll(keepingCapacity: true)
            }
            for input in inputs {
                for request in input.requests {
                    // Decoded one at a time, so memory holds a batch of spans, not the file's.
                    switch request.content() {
                    case .success(.spans(let spans)):
                        pending += spans
                        accepted += 1
                        traces.formUnion(spans.map(\.traceID))
                        if pending.count >= 5_000 {
                            try await insert(pending)
                            pending.removeAll(keepingCapacity: true)
                        }
                    case .success(.logRecords(let records)):
                        pendingLogs += records
                        accepted += 1
                        if pendingLogs.count >= 5_000 { try await insertLogs() }
                    case .failure(let error):
                        rejected.append("\(input.name):\(request.line): \(error.description)")
                    }
                    done += 1
                    progress.update(done)
                }
            }
            try await insertLogs()
            try await insert(pending)
            try await finishCommitting()
            progress.finish()
            guard accepted > 0 else {
                rejected.forEach(Terminal.printError)
                throw UserFacingError(rejected.count == 1 ? "nothing imported: the 1 request in it was refused" : "nothing imported: all \(rejected.count) requests were refused")
            }
            var summary = "imported \(counted(inserted, "span")) in \(counted(traces.count, "trace")) from \(counted(accepted, "request")) into \(store.path)"
            if duplicates > 0 { summary += "; \(counted(duplicates, "span was", "spans were")) already stored" }
            if logsInserted + logDuplicates > 0 {
                summary += "; \(counted(logsInserted, "log record"))" + (logDuplicates > 0 ? " (\(logDuplicates) already stored)" : "")
            }
            print(summary)
        }
        guard rejected.isEmpty else {
            rejected.forEach(Terminal.printError)
            throw UserFacingError("\(counted(rejected.count, "request was", "requests were")) refused (listed above); the rest were imported")
        }
    }

    /// A file's bytes (mapped, not copied), or standard input's.
    private static func contents(of file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw UserFacingError("cannot read \(file): no such file") }
        guard !isDirectory.boolValue, let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else {
            throw UserFacingError("cannot read \(file): not a readable file")
        }
        return data
    }
}
