import Foundation
import Logging
import MCP
import TraceStore

/// `trace mcp`: the tools over the Model Context Protocol's stdio transport, through the Swift MCP
/// SDK; a tool that fails answers with a tool error (its message as the CLI would print it), never
/// by ending the server.
public enum TraceMCPServer {
    public static let guideURI = "trace://guide"

    /// Serves until the client closes stdin.
    public static func run(store: TraceStore, version: String, logger: Logger) async throws {
        let server = try await start(store: store, version: version, transport: StdioTransport(logger: logger))
        await server.waitUntilCompleted()
    }

    public static func start(store: TraceStore, version: String, transport: any Transport) async throws -> Server {
        let tools = TraceTools(store: store)
        let server = Server(name: "trace", version: version,
                            instructions: "Traces, logs and service calls recorded by `trace`. Read \(guideURI) first: it says which tool answers what.",
                            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            .init(tools: TraceTools.definitions.map { definition in
                var properties: [String: Value] = [:]
                for argument in definition.arguments {
                    properties[argument.name] = .object(["type": .string(argument.type), "description": .string(argument.description)])
                }
                return Tool(name: definition.name, description: definition.description,
                            inputSchema: .object(["type": "object", "properties": .object(properties), "required": .array(definition.required.map { .string($0) })]),
                            annotations: .init(readOnlyHint: true, openWorldHint: false))
            })
        }
        await server.withMethodHandler(CallTool.self) { call in
            var arguments: [String: ToolArgument] = [:]
            for (key, value) in call.arguments ?? [:] {
                switch value {
                case .string(let text): arguments[key] = .string(text)
                case .int(let number): arguments[key] = .int(number)
                case .double(let number): arguments[key] = .double(number)
                case .bool(let flag): arguments[key] = .bool(flag)
                default: break
                }
            }
            do {
                return .init(content: [.text(text: try await tools.call(call.name, arguments: arguments), annotations: nil, _meta: nil)], isError: false)
            } catch let failure as TraceTools.Failure {
                return .init(content: [.text(text: failure.description, annotations: nil, _meta: nil)], isError: true)
            }
        }
        await server.withMethodHandler(ListResources.self) { _ in
            .init(resources: [MCP.Resource(name: "How to read a trace file", uri: guideURI, description: "Which tool answers what, from stats to a span", mimeType: "text/markdown")])
        }
        await server.withMethodHandler(ReadResource.self) { request in
            guard request.uri == guideURI else { throw MCPError.invalidParams("no resource \(request.uri); \(guideURI) is the one") }
            return .init(contents: [.text(TraceTools.guide, uri: guideURI, mimeType: "text/markdown")])
        }
        try await server.start(transport: transport)
        return server
    }
}
