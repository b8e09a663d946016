import ArgumentParser
import Foundation
import OTLP
import TraceModel
import TraceQL
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

    @Flag(name: .shortAndLong, help: "Also list each span's ids, attributes and events, and each log record's attributes.")
    var verbose = false

    @Flag(help: "Mark the spans on the critical path (the chain of work that set the end-to-end duration) and total it per service.")
    var criticalPath = false

    @Option(name: .customLong("query"), help: ArgumentHelp("Mark the spans this TraceQL query matches with ▸, e.g. '{ kind = client }'.", valueName: "traceql"))
    var traceQLText: String?

    @Option(help: ArgumentHelp("text, or otlp-json: an OTLP/JSON ExportTraceServiceRequest that `trace collect` accepts back.", valueName: "format"))
    var format: Format = .text

    @OptionGroup var skew: ClockSkewOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if traceQLText != nil && format == .otlpJSON { throw ValidationError("--query marks spans in the text view; otlp-json is the trace as stored") }
        if skew.adjustSkew && format == .otlpJSON { throw ValidationError("--adjust-skew changes only what is shown; otlp-json is the trace as stored") }
        try TraceIDPrefix.validate(traceID)
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() throws {
        let traceQL = try traceQLText.map(TraceQLArgument.parse)
        let store = try database.openForReading(concurrentReads: false)
        defer { try? store.close() }
        // With its log records, which the waterfall lists and a query's log: fields test.
        let trace = try TraceIDPrefix.resolve(traceID, in: store, details: .allWithLogs)
        // Matched on the trace as stored; an adjusted trace keeps its span ids.
        let matched = traceQL.map { query in Set(TraceQLEvaluator(query).matchedSpans(in: trace).map { trace.spans[$0].spanID }) }
        switch format {
        case .text:
            print(WaterfallText.render(trace: trace, width: width ?? Terminal.width, verbose: verbose, style: Terminal.style,
                                       criticalPath: criticalPath, skew: skew.apply(trace).skew, matched: matched),
                  terminator: "")
        case .otlpJSON:
            let data = try OTLPJSON.encode(ExportTraceServiceRequest(spans: trace.spans))
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
