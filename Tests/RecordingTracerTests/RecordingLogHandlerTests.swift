import Logging
@testable import RecordingTracer
import Synchronization
import Testing
import TraceModel
import Tracing

/// The builtin log handler: each message a model record, under the span active where it was logged.
@Suite struct RecordingLogHandlerTests {
    @Test func aRecordCarriesTheActiveSpansContextAndTypedMetadata() async throws {
        let stored = Mutex<[LogRecord]>([])
        let spans = FinishedSpanQueue(gathering: .zero) { _ in }
        let logs = FinishedRecordQueue<LogRecord>(gathering: .zero) { batch in stored.withLock { $0 += batch } }
        let resource = TraceModel.Resource(attributes: [Attribute("service.name", .string("checkout"))])
        let scope = InstrumentationScope(name: "tests")
        let tracer = RecordingTracer(resource: resource, scope: scope, queue: spans)
        var log = Logger(label: "checkout") { _ in RecordingLogHandler(resource: resource, scope: scope, queue: logs) }
        log[metadataKey: "region"] = "eu"
        let running = Task { try await logs.run() }
        let span = tracer.startSpan("pay", context: .topLevel, ofKind: .server)
        ServiceContext.$current.withValue(span.context) {
            log.warning("card declined", metadata: ["attempt": .stringConvertible(2), "amount": .stringConvertible(9.5), "retry": .stringConvertible(true)])
        }
        log.debug("below the handler's level: dropped")
        log.error("outside any span")
        span.end()
        running.cancel()
        try await running.value
        let records = stored.withLock { $0 }
        #expect(records.count == 2)
        let declined = try #require(records.first)
        #expect(declined.traceID == span.context.recordedSpanContext?.traceID && declined.spanID == span.context.recordedSpanContext?.spanID)
        #expect(declined.flags == 1 && declined.severityNumber == 13 && declined.severityText == "WARN")
        #expect(declined.body == .string("card declined") && declined.resource == resource && declined.scope == scope)
        #expect(declined.attributes["attempt"] == .int(2) && declined.attributes["amount"] == .double(9.5) && declined.attributes["retry"] == .bool(true))
        #expect(declined.attributes["region"] == .string("eu"))
        #expect(declined.timeUnixNano > 1_700_000_000_000_000_000)
        let outside = records[1]
        #expect(outside.traceID == nil && outside.spanID == nil && outside.severity == .error)
    }
}
