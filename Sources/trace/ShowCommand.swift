import ArgumentParser
import Foundation
import OTLP
import TraceModel
import TraceStore
import TraceViews

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one trace as a waterfall, with where its time went.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case otlpJSON = "otlp-json"
    }

    @Argument(help: ArgumentHelp("A trace id, or enough of its start to be unique.", valueName: "trace-id"))
    var traceID: String

    @Option(help: "Width of the output in columns (default: the terminal's).")
    var width: Int?

    @Flag(name: .shortAndLong, help: "Also list each span's ids, attributes and events.")
    var verbose = false

    @Option(help: ArgumentHelp("text, or otlp-json: an OTLP/JSON ExportTraceServiceRequest that `trace collect` accepts back.", valueName: "format"))
    var format: Format = .text

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...32).contains(traceID.utf8.count), traceID.utf8.allSatisfy({ UInt8(ascii: "0") <= $0 && $0 <= UInt8(ascii: "9") || UInt8(ascii: "a") <= ($0 | 0x20) && ($0 | 0x20) <= UInt8(ascii: "f") }) else {
            throw ValidationError("'\(TerminalText.escaped(traceID))' is not a trace id: expected 1 to 32 hex digits")
        }
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() throws {
        let store = try database.openForReading()
        let matches = try store.traceIDs(withPrefix: traceID, limit: 6)
        guard let id = matches.first else {
            throw UserFacingError("no trace \(traceID.count == 32 ? "" : "starting with ")\(traceID) in \(store.path) (see `trace list`)")
        }
        if matches.count > 1, traceID.count < 32 {
            let shown = matches.prefix(5).map(\.hex).joined(separator: ", ")
            throw UserFacingError("'\(traceID)' matches \(matches.count > 5 ? "more than 5" : "\(matches.count)") traces: \(shown); give more digits")
        }
        guard let trace = try store.trace(id) else { throw UserFacingError("trace \(id.hex) disappeared while reading") }
        switch format {
        case .text:
            print(WaterfallText.render(trace: trace, width: width ?? Terminal.width, verbose: verbose, style: Terminal.style), terminator: "")
        case .otlpJSON:
            let data = try OTLPJSON.encode(ExportTraceServiceRequest(spans: trace.spans))
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
