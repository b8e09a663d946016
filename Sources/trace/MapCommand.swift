import ArgumentParser
import Foundation
import TraceStore
import TraceViews

struct MapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "The services in the selected traces and the calls between them.",
        discussion: """
            Draws each service where requests come in and the calls it makes, as a tree: per kind of \
            call (a client span and the server span it caused in another service), the count, the error \
            rate (client or server span in error), and p50/p99 of the server span's time and of network & \
            queueing (client time outside the server span). --dot prints a Graphviz graph \
            (`trace map --dot | dot -Tsvg > map.svg`), --json the same figures in milliseconds.
            """)

    @OptionGroup var filters: TraceFilterOptions

    @Flag(help: "Print a Graphviz dot graph.")
    var dot = false

    @Flag(help: "Print JSON (durations in milliseconds).")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if dot && json { throw ValidationError("give one of --dot and --json") }
    }

    func run() async throws {
        let store = try database.openForReading()
        defer { try? store.close() }
        var map = ServiceMap()
        try store.forEachTrace(matching: try await filters.selection(in: store)) { map.add($0) }
        if json {
            print(String(decoding: try MapText.json(map), as: UTF8.self))
        } else if map.traceCount == 0 {
            Terminal.printNote("no traces match in \(store.path)")
        } else if dot {
            print(MapText.dot(map), terminator: "")
        } else {
            print(MapText.render(map, style: Terminal.style), terminator: "")
        }
    }
}
