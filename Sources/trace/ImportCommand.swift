import ArgumentParser
import Foundation
import OTLP
import TraceModel
import TraceStore
import TraceViews

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store traces from OTLP/JSON files.",
        discussion: """
            Each FILE holds one OTLP/JSON ExportTraceServiceRequest, or JSON lines of them as the OpenTelemetry \
            Collector's file exporter writes (`trace export --output` writes the same). `-` reads standard input. \
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
        // Read every input first: an unreadable file stops the import before anything is stored.
        let inputs = try files.map { file -> (name: String, data: Data) in
            if file == "-" { return ("stdin", FileHandle.standardInput.readDataToEndOfFile()) }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw UserFacingError("cannot read \(file): no such file") }
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: file) else { throw UserFacingError("cannot read \(file): not a readable file") }
            return (file, data)
        }
        let entries = inputs.map { (name: $0.name, entries: OTLPJSONLines.entries(in: $0.data)) }
        let rejected = entries.flatMap { input in
            input.entries.compactMap { entry -> String? in
                guard case .failure(let error) = entry.spans else { return nil }
                return "\(input.name):\(entry.line): \(error.description)"
            }
        }
        let accepted = entries.flatMap { $0.entries.compactMap { try? $0.spans.get() } }
        guard !accepted.isEmpty || !rejected.isEmpty else { throw UserFacingError("nothing to import: \(files.joined(separator: ", ")) held no OTLP requests") }
        guard !accepted.isEmpty else {
            rejected.forEach(Terminal.printError)
            throw UserFacingError(rejected.count == 1 ? "nothing imported: the 1 request in it was refused" : "nothing imported: all \(rejected.count) requests were refused")
        }
        try await database.withStoreForWriting { store in
            var inserted = 0, duplicates = 0
            var traces = Set<TraceID>()
            for spans in accepted {
                let outcome = try await store.insert(spans)
                inserted += outcome.inserted
                duplicates += outcome.duplicates
                traces.formUnion(spans.map(\.traceID))
            }
            var summary = "imported \(counted(inserted, "span")) in \(counted(traces.count, "trace")) from \(counted(accepted.count, "request")) into \(store.path)"
            if duplicates > 0 { summary += "; \(counted(duplicates, "span was", "spans were")) already stored" }
            print(summary)
        }
        guard rejected.isEmpty else {
            rejected.forEach(Terminal.printError)
            throw UserFacingError("\(counted(rejected.count, "request was", "requests were")) refused (listed above); the rest were imported")
        }
    }
}
