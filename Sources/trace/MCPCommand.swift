import ArgumentParser
import Foundation
import Logging
import TraceMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the trace file to a coding agent: MCP tools over stdio.",
        discussion: """
            A Model Context Protocol server on stdin and stdout (JSON-RPC 2.0, the stdio transport), for an \
            agent such as Claude Code, Cursor or Copilot to call, reading the file while `trace collect` or \
            `trace run` writes it. Tools: list_services, operation_stats (p50/p90/p99, errors and self time per \
            operation, as `trace stats --json`), search_traces (TraceQL and the list filters), trace_summary (where \
            one trace's time went, its critical path), span_details (a span's attributes, events and log \
            records), compare (a trace against the median, as `trace diff --against median`) and service_map. The resource trace://guide tells the agent how to go from stats to a span. \
            Answers are small on purpose: lists stop at a limit and say how many more there are.

            In the agent's MCP configuration:

              {"mcpServers": {"trace": {"command": "trace", "args": ["mcp", "--db", "/path/to/traces.db"]}}}
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.openForReading()
        defer { try? store.close() }
        if isatty(STDIN_FILENO) == 1 {
            Terminal.printNote("trace mcp speaks the Model Context Protocol on stdin and stdout, for an agent to start (see `trace mcp --help`); Ctrl-D to stop")
        }
        // stdout is the protocol's: anything worth saying goes to stderr.
        try await TraceMCPServer.run(store: store, version: TraceCommand.configuration.version, logger: Logger(label: "trace.mcp") { _ in OneLineLogHandler(logLevel: .error) })
    }
}
