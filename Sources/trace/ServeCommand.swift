import ArgumentParser
import Foundation
import TraceRun

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Keep the traced pair running so you can send it requests yourself.",
        discussion: """
            Every request to the frontend is traced and stored, e.g. `curl localhost:8080`. A request that \
            carries a W3C `traceparent` header continues the caller's trace. Ctrl-C stops, stores what was \
            produced and exits 0.

            \(DemoOptions.otlpProtocolDiscussion)
            """)

    @Option(help: "Frontend port (0 picks a free one).")
    var port = 8080

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @OptionGroup var demo: DemoOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
    }

    func run() async throws {
        try await database.withStoreForWriting { store in
            let stack: DemoStack
            do {
                stack = try await DemoStack.start(configuration: demo.stackConfiguration(host: host, frontendPort: port), store: store, logger: .quiet)
            } catch {
                throw UserFacingError.wrapping(error, listeningOn: "\(host):\(port)")
            }
            Terminal.printNote("frontend listening on http://\(host):\(stack.frontendPort) (try: curl localhost:\(stack.frontendPort)); storing in \(store.path); Ctrl-C to stop")
            let (stopped, continuation) = AsyncStream.makeStream(of: Void.self)
            let interrupt = InterruptSignal { continuation.finish() }
            for await _ in stopped {}
            _ = interrupt
            try await stack.stop()
            let statistics = stack.statistics.snapshot
            Terminal.printNote("stopped: stored \(statistics.spansStored) spans in \(store.path)")
        }
    }
}
