import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@testable import OTLP
@testable import OTLPExport
import ServiceLifecycle
import Synchronization
import Testing
import TraceStore
import TraceFixtures
import TraceModel

/// A collector on a loopback port that answers from a script, one response per request, and
/// keeps what it was sent.
final class ScriptedCollector: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: [(String, String)] = []
        var body = ""
    }

    private let script: Mutex<[Answer]>
    private let received = Mutex<[Data]>([])
    var bodies: [Data] { received.withLock { $0 } }

    init(_ script: [Answer]) { self.script = Mutex(script) }

    func run<T: Sendable>(_ body: @Sendable (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/traces") { [self] request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            received.withLock { $0.append(Data(buffer: bytes)) }
            let answer = script.withLock { $0.isEmpty ? Answer(status: .ok) : $0.removeFirst() }
            var fields = HTTPFields()
            for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var logger = Logger(label: "scripted-collector")
        logger.logLevel = .error
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { Task { await group.triggerGracefulShutdown() } }
            let result = try await body("http://127.0.0.1:\(port)")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

/// Records the waits the client asks for instead of waiting.
final class SleepLog: Sendable {
    private let storage = Mutex<[Duration]>([])
    var waits: [Duration] { storage.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void { { [self] duration in storage.withLock { $0.append(duration) } } }
}

/// Timeouts no loaded test machine reaches: these tests are about the collector's answers, and a
/// timed-out attempt would be retried and change what they count.
let patientConfiguration = {
    var configuration = OTLPExportClient.Configuration()
    configuration.requestTimeout = .seconds(120)
    configuration.connectTimeout = .seconds(60)
    return configuration
}()

@Suite struct OTLPExportClientTests {
    @Test func waitsAsTheCollectorAsksThenDelivers() async throws {
        let collector = ScriptedCollector([
            .init(status: .serviceUnavailable, headers: [("Retry-After", "3")]),
            .init(status: .tooManyRequests),
            .init(status: .tooManyRequests, headers: [("Retry-After", "120")]),
        ])
        let log = SleepLog()
        let spans = sampleTrace(id: 0xE1)
        let retries = try await collector.run { url in
            let client = OTLPExportClient(endpoint: url, configuration: patientConfiguration, sleep: log.sleep)
            defer { Task { try? await client.shutdown() } }
            return try await client.send(spans)
        }
        #expect(retries == 3)
        // Retry-After: 3 s; none given: the backoff (doubled once by then); 120 s is capped at 30 s.
        #expect(log.waits == [.seconds(3), .seconds(1), .seconds(30)])
        #expect(collector.bodies.count == 4)
        let delivered = try ExportTraceServiceRequest(serializedBytes: collector.bodies[3]).spans()
        #expect(delivered == spans)
    }

    @Test func aRefusalIsFinalAndExplained() async throws {
        let collector = ScriptedCollector([.init(status: .badRequest, headers: [("Content-Type", "application/json")], body: #"{"code":3,"message":"span 0 has no name"}"#)])
        let log = SleepLog()
        await #expect {
            try await collector.run { url in
                let client = OTLPExportClient(endpoint: url, configuration: patientConfiguration, sleep: log.sleep)
                defer { Task { try? await client.shutdown() } }
                try await client.send(sampleTrace(id: 0xE2))
            }
        } throws: { error in
            "\(error)".hasSuffix("/v1/traces answered 400: span 0 has no name")
        }
        #expect(log.waits.isEmpty && collector.bodies.count == 1)
    }

    @Test func givesUpAfterItsAttemptsWhenNobodyListens() async throws {
        var configuration = OTLPExportClient.Configuration()
        configuration.maxAttempts = 3
        let log = SleepLog()
        // A port that was just free: bind one, note it, close it.
        let port = try await ScriptedCollector([]).run { url in Int(url.split(separator: ":").last!)! }
        let client = OTLPExportClient(endpoint: "http://127.0.0.1:\(port)/v1/traces", configuration: configuration, sleep: log.sleep)
        await #expect {
            try await client.send(sampleTrace(id: 0xE3))
        } throws: { error in
            "\(error)".hasPrefix("cannot reach http://127.0.0.1:\(port)/v1/traces") && "\(error)".hasSuffix("(gave up after 3 attempts)")
        }
        try await client.shutdown()
        #expect(log.waits == [.milliseconds(500), .seconds(1)])
    }

    /// OTLP/HTTP sent to a gRPC port fails at once, saying so, rather than retrying for half a minute.
    @Test func anEndpointThatDoesNotSpeakHTTPIsAFinalFailure() async throws {
        let store = try TraceStore.inMemory()
        let retries = Mutex(0)
        let message = try await withGRPCReceiverListening(store: store) { port, _ in
            let client = OTLPExportClient(endpoint: "http://127.0.0.1:\(port)", onRetry: { _, _ in retries.withLock { $0 += 1 } })
            defer { Task { try? await client.shutdown() } }
            do {
                try await client.send(sampleTrace(id: 1))
                return "sent"
            } catch let error as OTLPExportClient.ExportError {
                return error.description
            }
        }
        #expect(message.hasSuffix("/v1/traces did not answer in HTTP: it is not an OTLP/HTTP endpoint"))
        #expect(retries.withLock { $0 } == 0)
        #expect(OTLPEndpoint.portHint("http://localhost:4317", sending: .httpProtobuf).contains("use --otlp-protocol grpc"))
        #expect(OTLPEndpoint.portHint("http://localhost:4318", sending: .grpc).contains("use --otlp-protocol http/protobuf"))
        #expect(OTLPEndpoint.portHint("http://localhost:4318", sending: .httpJSON) == "")
    }

    @Test func retryAfterTakesSecondsOrAnHTTPDate() throws {
        #expect(OTLPExportClient.retryAfter("7") == .seconds(7))
        let inAMinute = Date().addingTimeInterval(60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let wait = try #require(OTLPExportClient.retryAfter(formatter.string(from: inAMinute)))
        #expect(wait > .seconds(55))
        #expect(wait <= .seconds(60))
        #expect(OTLPExportClient.retryAfter("soon") == nil)
        #expect(OTLPExportClient.retryAfter("-3") == nil)
    }
}

@Suite struct OTLPJSONLinesTests {
    @Test func readsOneRequestOrJSONLinesAndRefusesBadLinesAlone() throws {
        let first = try OTLPJSONLines.line(for: sampleTrace(id: 1))
        let second = try OTLPJSONLines.line(for: sampleTrace(id: 2))
        #expect(!first.dropLast().contains(UInt8(ascii: "\n")))
        let file = first + Data("\n  \n{\"resourceSpans\": \"nope\"}\n".utf8) + second
        let requests = OTLPJSONLines.requests(in: file)
        #expect(requests.map(\.line) == [1, 4, 5])
        // A slice of a larger buffer (indices not from 0) reads the same lines.
        let sliced = OTLPJSONLines.requests(in: (Data("{}\n".utf8) + file).dropFirst(3))
        #expect(sliced.map(\.line) == [1, 4, 5])
        #expect(sliced.map(\.json) == requests.map(\.json))
        #expect(try requests[0].spans().get() == sampleTrace(id: 1))
        #expect(try requests[2].spans().get() == sampleTrace(id: 2))
        guard case .failure(let error) = requests[1].spans() else { Issue.record("line 4 was accepted"); return }
        #expect(error.description.hasPrefix("not an OTLP ExportTraceServiceRequest"))

        let pretty = try OTLPJSON.encode(ExportTraceServiceRequest(spans: sampleTrace(id: 3)), prettyPrinted: true)
        let single = OTLPJSONLines.requests(in: pretty)
        #expect(single.count == 1)
        #expect(try single[0].spans().get() == sampleTrace(id: 3))
        #expect(OTLPJSONLines.requests(in: Data(" \n\n".utf8)).isEmpty)
        // Not JSON at all: one request, refused.
        let garbage = OTLPJSONLines.requests(in: Data("hello\nworld\n".utf8))
        #expect(garbage.count == 1 && garbage[0].line == 1)
        #expect((try? garbage[0].spans().get()) == nil)
    }

    /// The quick decoding path on its own: the careful path behind it would hide a broken one.
    @Test func idsAreRewrittenInPlaceBothWays() throws {
        let json = Data(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId" : "0102030405060708090A0B0C0D0E0F10", "spanId":"0102030405060708", "name":"a \"traceId\":\"x\""}]}]}]}"#.utf8)
        let rewritten = try #require(OTLPJSON.base64IDs(in: json))
        let text = String(decoding: rewritten, as: UTF8.self)
        #expect(text.contains(#""traceId":"AQIDBAUGBwgJCgsMDQ4PEA==""#))
        #expect(text.contains(#""spanId":"AQIDBAUGBwg=""#))
        // A quoted key inside a string value is left alone.
        #expect(text.contains(#""name":"a \"traceId\":\"x\"""#))
        #expect(String(decoding: OTLPJSON.hexIDs(in: rewritten), as: UTF8.self).contains(#""traceId":"0102030405060708090a0b0c0d0e0f10""#))
        #expect(OTLPJSON.base64IDs(in: Data(#"{"spanId":"not hex"}"#.utf8)) == nil)
    }
}
