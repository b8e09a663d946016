import DemoServices
import Foundation
import Logging
import Testing
import TraceModel
@testable import TraceRun
import Tracing
import TraceStore
import TraceViews

@Suite struct PipelineTests {
    static let phaseNames: Set<String> = ["http.dns", "http.connect", "http.send", "http.wait", "http.receive"]

    /// The product's spine: the real pair, real HTTP on loopback, a real SQLite file, the spans
    /// recorded by the builtin tracer or by swift-otel exporting OTLP to the embedded receiver;
    /// either way nothing may be lost or orphaned.
    @Test(arguments: DemoTracer.allCases)
    func twoThousandRequestsStoreTwoThousandCompleteTraces(tracer: DemoTracer) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trace-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("run.db").path)
        var logger = Logger(label: "pipeline-test")
        logger.logLevel = .error

        let session = RunSession(requests: 2000, concurrency: 32, stack: DemoStackConfiguration(tracer: tracer))
        let report = try await session.run(store: store, logger: logger)

        #expect(report.completed == 2000)
        #expect(report.errors == 0)
        #expect(report.tracesStored == 2000)
        #expect(report.tracesWithoutRoot == 0)
        #expect(!report.text(style: .plain).contains("incomplete"))
        // Lost spans must show: a trace stored without its root span is named in the summary.
        var lossy = report
        lossy.tracesWithoutRoot = 2
        #expect(lossy.text(style: .plain).contains("  incomplete   2 traces arrived without a root span: the tracer could not export all its spans\n"))
        #expect(try store.totals().traces == 2000)

        var spanCount = 0
        var reusedConnections = 0
        try store.forEachTrace(matching: TraceQuery(), details: true) { trace in
            spanCount += trace.spans.count
            let byName = Dictionary(grouping: trace.spans, by: \.name)
            #expect(Set(trace.services) == ["frontend", "backend"])
            #expect(trace.spans.allSatisfy { $0.resource.attributes["service.namespace"] == .string("trace-demo") })
            // Exactly one root, the frontend's first span; every other span's parent is stored.
            #expect(trace.roots.count == 1)
            let root = try #require(trace.roots.first)
            #expect(root.name == "incoming call" && root.serviceName == "frontend")
            #expect(trace.spans.allSatisfy { $0.startTimeUnixNano >= root.startTimeUnixNano })
            let call = try #require(byName["backend call"]?.first)
            #expect(call.kind == .client && call.parentSpanID == root.spanID)
            #expect(!call.events.isEmpty && !root.events.isEmpty)
            let server = try #require(trace.spans.first { $0.serviceName == "backend" })
            #expect(server.kind == .server && server.parentSpanID == call.spanID)
            #expect(server.events.map(\.name) == ["handling request"])
            #expect(server.attributes["http.response.status_code"] == .int(200))
            for phase in ["http.send", "http.wait", "http.receive"] {
                let span = try #require(byName[phase]?.first)
                #expect(span.parentSpanID == call.spanID)
                #expect(span.startTimeUnixNano >= call.startTimeUnixNano && span.endTimeUnixNano <= call.endTimeUnixNano)
            }
            let reused = call.attributes["http.connection.reused"] == .bool(true)
            if reused { reusedConnections += 1 }
            // A new connection shows its connect step (and a lookup, since the backend is called as localhost).
            #expect((byName["http.connect"] != nil) == !reused)
            #expect(trace.spans.allSatisfy { $0.serviceName == "backend" || Self.phaseNames.contains($0.name) || ["incoming call", "backend call"].contains($0.name) })
        }
        #expect(spanCount == report.spansStored)
        #expect(reusedConnections >= 2000 - 64)
    }

    /// A server with a hold starts no span and answers nothing until the hold lets the request
    /// through, and then answers normally: how `trace serve` and `trace run` keep spans from
    /// outrunning the store.
    @Test func aHeldRequestIsAnsweredOnceTheHoldLetsItThrough() async throws {
        let (events, event) = AsyncStream.makeStream(of: String.self)
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        let signal = PortSignal()
        let app = Backend.buildApplication(
            host: "127.0.0.1", port: 0, tracer: SpanStartSignallingTracer { event.yield("span \($0)") }, log: Logger(label: "hold-test"), behavior: BackendBehavior(),
            logger: Logger(label: "hold-test"),
            beforeEachRequest: {
                event.yield("held")
                for await _ in release { break }
            },
            onServerRunning: { signal.report($0) })
        let services = RunningServices.start([app], logger: Logger(label: "hold-test"), onExit: signal.finish)
        let port = try #require(await signal.wait())
        let client = PhaseTracedHTTPClient(host: "127.0.0.1", port: port)
        let request = Task {
            defer { event.finish() }
            let exchange = try await client.get("/")
            event.yield("answered")
            return exchange
        }
        var order = events.makeAsyncIterator()
        #expect(await order.next() == "held")
        // "released" enters the stream before the release: a hold that let the request through
        // early (or no hold) would show the span's start or the answer before it.
        event.yield("released")
        releaser.yield()
        let exchange = try await request.value
        var rest: [String] = []
        while let next = await order.next() { rest.append(next) }
        #expect(rest == ["released", "span GET /", "answered"])
        #expect(exchange.status == 200)
        #expect(String(buffer: exchange.body) == "OK")
        await client.shutdown()
        try await services.stop()
    }
}

/// Records nothing; tells when a span starts.
struct SpanStartSignallingTracer: Tracer {
    let onStart: @Sendable (String) -> Void

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> NoOpTracer.NoOpSpan {
        onStart(operationName)
        return NoOpTracer.NoOpSpan(context: context())
    }

    func forceFlush() {}

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {}
}
