import Foundation
@testable import RecordingTracer
import Synchronization
import Testing
import TraceModel
import Tracing

/// What a store was handed, batch by batch.
private final class StoredSpans: Sendable {
    private let batches = Mutex<[[TraceModel.Span]]>([])
    var all: [TraceModel.Span] { batches.withLock { $0.flatMap { $0 } } }
    var batchCount: Int { batches.withLock { $0.count } }
    func add(_ batch: [TraceModel.Span]) { batches.withLock { $0.append(batch) } }
}

private struct Instant: TracerInstant {
    var nanosecondsSinceEpoch: UInt64
    static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

private struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

private struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

private struct StoreFailure: Error {}

@Suite struct RecordingTracerTests {
    static let resource = TraceModel.Resource(attributes: [Attribute("service.name", .string("checkout"))])
    static let scope = InstrumentationScope(name: "tests", version: "1")

    /// Runs the queue's service around `body`, then cancels it (as a shutdown would) and returns
    /// what it stored.
    private func record(_ body: (RecordingTracer) async throws -> Void) async throws -> (spans: [TraceModel.Span], batches: Int) {
        let stored = StoredSpans()
        let queue = FinishedSpanQueue(gathering: .milliseconds(1)) { stored.add($0) }
        let running = Task { try await queue.run() }
        try await body(RecordingTracer(resource: Self.resource, scope: Self.scope, queue: queue))
        running.cancel()
        try await running.value
        return (stored.all, stored.batchCount)
    }

    @Test func aSpanKeepsEverythingTheTracingAPIGaveIt() async throws {
        let (spans, _) = try await record { tracer in
            let root = tracer.startSpan("incoming", context: .topLevel, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 1_000))
            let other = tracer.startSpan("elsewhere", context: .topLevel, ofKind: .consumer, at: Instant(nanosecondsSinceEpoch: 1_100))
            let child = tracer.startSpan("draft name", context: root.context, ofKind: .client, at: Instant(nanosecondsSinceEpoch: 2_000))
            child.operationName = "call"
            child.updateAttributes { attributes in
                attributes["int"] = 7
                attributes.set("int32", value: .int32(-3))
                attributes.set("int32s", value: .int32Array([1, 2]))
                attributes.set("int64s", value: .int64Array([Int64.max, Int64.min]))
                attributes["double"] = 0.25
                attributes.set("doubles", value: .doubleArray([1.5, -2]))
                attributes["bool"] = true
                attributes.set("bools", value: .boolArray([false, true]))
                attributes["string"] = "text"
                attributes.set("strings", value: .stringArray(["a", "b"]))
                attributes.set("described", value: .stringConvertible(URL(string: "http://h/p")!))
                attributes.set("described list", value: .stringConvertibleArray([1.5, 2]))
            }
            child.addEvent(SpanEvent(name: "sent", at: Instant(nanosecondsSinceEpoch: 2_500), attributes: ["bytes": 12]))
            child.recordError(StoreFailure(), attributes: [:], at: Instant(nanosecondsSinceEpoch: 2_600))
            child.addLink(SpanLink(context: other.context, attributes: ["why": "batch"]))
            child.setStatus(SpanStatus(code: .error, message: "HTTP 503"))
            #expect(child.isRecording)
            child.end(at: Instant(nanosecondsSinceEpoch: 3_000))
            child.end(at: Instant(nanosecondsSinceEpoch: 9_000))
            #expect(!child.isRecording)
            child.setStatus(SpanStatus(code: .ok))
            root.setStatus(SpanStatus(code: .ok, message: "ignored for ok"))
            root.setStatus(SpanStatus(code: .error, message: "too late: ok is final"))
            root.end(at: Instant(nanosecondsSinceEpoch: 4_000))
            other.end(at: Instant(nanosecondsSinceEpoch: 1_200))
        }
        #expect(spans.count == 3)
        let root = try #require(spans.first { $0.name == "incoming" })
        let call = try #require(spans.first { $0.name == "call" })
        let other = try #require(spans.first { $0.name == "elsewhere" })
        #expect(root.parentSpanID == nil)
        #expect(root.kind == TraceModel.SpanKind.server)
        #expect(root.status == TraceModel.SpanStatus(code: .ok))
        #expect(root.traceID != other.traceID)
        #expect(root.traceID.isValid && root.spanID.isValid)
        #expect(call.traceID == root.traceID)
        #expect(call.parentSpanID == root.spanID)
        #expect(call.kind == TraceModel.SpanKind.client)
        #expect(call.startTimeUnixNano == 2_000)
        #expect(call.endTimeUnixNano == 3_000)
        #expect(root.endTimeUnixNano == 4_000)
        #expect(call.status == TraceModel.SpanStatus(code: .error, message: "HTTP 503"))
        #expect(call.flags == 1)
        #expect(call.resource == Self.resource)
        #expect(call.scope == Self.scope)
        let attributes = [String: AttributeValue](uniqueKeysWithValues: call.attributes.map { ($0.key, $0.value) })
        let expected: [String: AttributeValue] = [
            "int": .int(7), "int32": .int(-3), "int32s": .array([.int(1), .int(2)]),
            "int64s": .array([.int(Int64.max), .int(Int64.min)]), "double": .double(0.25), "doubles": .array([.double(1.5), .double(-2)]),
            "bool": .bool(true), "bools": .array([.bool(false), .bool(true)]), "string": .string("text"),
            "strings": .array([.string("a"), .string("b")]), "described": .string("http://h/p"),
            "described list": .array([.string("1.5"), .string("2")]),
        ]
        #expect(attributes == expected)
        #expect(call.events == [
            TraceModel.SpanEvent(timeUnixNano: 2_500, name: "sent", attributes: [Attribute("bytes", .int(12))]),
            TraceModel.SpanEvent(timeUnixNano: 2_600, name: "exception", attributes: call.events.last?.attributes ?? []),
        ])
        #expect(call.events.last?.attributes["exception.type"] == AttributeValue.string("StoreFailure"))
        #expect(call.events.last?.attributes["exception.message"] == AttributeValue.string("StoreFailure()"))
        #expect(call.links == [TraceModel.SpanLink(traceID: other.traceID, spanID: other.spanID, attributes: [Attribute("why", .string("batch"))], flags: 1)])
    }

    @Test func traceContextTravelsInW3CHeaders() async throws {
        var sent: [String: String] = [:]
        let (spans, _) = try await record { tracer in
            // A caller's context continues here, its tracestate passed on unchanged.
            var context = ServiceContext.topLevel
            tracer.extract(
                ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"],
                into: &context, using: HeaderExtractor())
            let server = tracer.startSpan("server", context: context, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 1))
            tracer.inject(server.context, into: &sent, using: HeaderInjector())
            server.end(at: Instant(nanosecondsSinceEpoch: 2))
        }
        let server = try #require(spans.first)
        #expect(server.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(server.parentSpanID?.hex == "00f067aa0ba902b7")
        #expect(server.traceState == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7" && server.flags == 1)
        #expect(sent == ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-\(server.spanID.hex)-01", "tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"])
    }

    /// A caller that did not sample still gets a span recorded here, and the services called next
    /// hear that it was: every span is recorded.
    @Test func aSpanUnderAnUnsampledCallerIsSampled() async throws {
        var sent: [String: String] = [:]
        let (spans, _) = try await record { tracer in
            var context = ServiceContext.topLevel
            tracer.extract(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"], into: &context, using: HeaderExtractor())
            let server = tracer.startSpan("server", context: context, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 1))
            tracer.inject(server.context, into: &sent, using: HeaderInjector())
            server.end(at: Instant(nanosecondsSinceEpoch: 2))
        }
        let server = try #require(spans.first)
        #expect(server.flags == 1 && server.parentSpanID?.hex == "00f067aa0ba902b7")
        #expect(sent["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(server.spanID.hex)-01")
        #expect(sent["tracestate"] == nil)
    }

    @Test(arguments: [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "not a traceparent", "",
    ])
    func aMalformedTraceparentStartsANewTrace(traceparent: String) async throws {
        let (spans, _) = try await record { tracer in
            var context = ServiceContext.topLevel
            tracer.extract(["traceparent": traceparent], into: &context, using: HeaderExtractor())
            tracer.startSpan("server", context: context, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 1)).end(at: Instant(nanosecondsSinceEpoch: 2))
        }
        let server = try #require(spans.first)
        #expect(server.parentSpanID == nil && server.traceState.isEmpty && server.traceID.isValid)
        #expect(server.traceID.hex != "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    /// Many tasks ending spans at once while batches are stored: each span stored exactly once.
    @Test func everySpanEndedIsStoredOnceInBatches() async throws {
        let (spans, batches) = try await record { tracer in
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in 0..<2_500 {
                            let root = tracer.startSpan("w\(worker)", context: .topLevel, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 1))
                            if index % 100 == 0 { await Task.yield() }
                            root.end(at: Instant(nanosecondsSinceEpoch: 2))
                        }
                    }
                }
            }
        }
        #expect(spans.count == 20_000)
        #expect(Set(spans.map(\.spanID)).count == 20_000)
        #expect(Set(spans.map(\.traceID)).count == 20_000)
        #expect(Dictionary(grouping: spans, by: \.name).mapValues(\.count) == Dictionary(uniqueKeysWithValues: (0..<8).map { ("w\($0)", 2_500) }))
        #expect(batches >= 1 && batches < 20_000)
    }

    /// With the store held up, spans pile up past the limit; `waitForRoom` holds its caller until
    /// the store has taken them.
    @Test func waitForRoomHoldsItsCallerUntilTheStoreCatchesUp() async throws {
        let (entered, enteredStore) = AsyncStream.makeStream(of: Int.self)
        let (release, releaseStore) = AsyncStream.makeStream(of: Void.self)
        let stored = StoredSpans()
        let queue = FinishedSpanQueue(gathering: .zero, backlogLimit: 10) { batch in
            enteredStore.yield(batch.count)
            for await _ in release { break }
            stored.add(batch)
        }
        let running = Task { try await queue.run() }
        let tracer = RecordingTracer(resource: Self.resource, scope: Self.scope, queue: queue)
        func endSpan() {
            tracer.startSpan("s", context: .topLevel, ofKind: .internal, at: Instant(nanosecondsSinceEpoch: 1)).end(at: Instant(nanosecondsSinceEpoch: 2))
        }
        endSpan()
        var batches = entered.makeAsyncIterator()
        #expect(await batches.next() == 1)  // the store now holds the first batch and waits
        for _ in 0..<25 { endSpan() }
        #expect(queue.backlog == 25)
        let resumed = Mutex(false)
        let waiter = Task {
            await queue.waitForRoom()
            resumed.withLock { $0 = true }
            return queue.backlog
        }
        // Until the waiter is either held or (wrongly) through.
        while queue.callersWaitingForRoom == 0, !resumed.withLock({ $0 }) { await Task.yield() }
        #expect(!resumed.withLock { $0 })
        releaseStore.yield()  // the first batch is stored; the loop takes the 25 and holds again
        #expect(await batches.next() == 25)
        #expect(await waiter.value <= 10)
        releaseStore.yield()
        running.cancel()
        releaseStore.finish()
        try await running.value
        #expect(stored.all.count == 26)
        await queue.waitForRoom()  // below the limit: at once
    }

    @Test func aStoreThatFailsEndsTheQueueWithItsError() async throws {
        let queue = FinishedSpanQueue(gathering: .zero) { _ in throw StoreFailure() }
        let running = Task { try await queue.run() }
        let tracer = RecordingTracer(resource: Self.resource, scope: Self.scope, queue: queue)
        tracer.startSpan("doomed", context: .topLevel, ofKind: .internal, at: Instant(nanosecondsSinceEpoch: 1)).end(at: Instant(nanosecondsSinceEpoch: 2))
        await #expect(throws: StoreFailure.self) { try await running.value }
    }
}
