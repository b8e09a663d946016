import Foundation
import TraceModel

/// A fresh directory per test, removed by the caller's `defer`.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trace-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

public let frontendResource = Resource(attributes: [Attribute("service.name", .string("frontend")), Attribute("host.name", .string("box"))])
public let backendResource = Resource(attributes: [Attribute("service.name", .string("backend"))], schemaURL: "https://opentelemetry.io/schemas/1.26.0")
public let scope = InstrumentationScope(name: "OT-tracing-demo", version: "1.0", attributes: [Attribute("lib", .bool(true))])

/// A two-service trace starting at `start`: root (frontend) → client → server (backend).
public func sampleTrace(id: UInt64, start: UInt64 = 1_700_000_000_000_000_000, rootNanos: UInt64 = 10_000_000, error: Bool = false) -> [Span] {
    let traceID = TraceID(high: id, low: 0xABCDEF)
    let root = Span(traceID: traceID, spanID: SpanID(id << 8 | 1), name: "incoming call", kind: .server,
                    startTimeUnixNano: start, endTimeUnixNano: start + rootNanos,
                    attributes: [Attribute("http.request.method", .string("GET"))],
                    events: [SpanEvent(timeUnixNano: start + 10, name: "request received")],
                    resource: frontendResource, scope: scope)
    let client = Span(traceID: traceID, spanID: SpanID(id << 8 | 2), parentSpanID: root.spanID, name: "backend call", kind: .client,
                      startTimeUnixNano: start + 1_000_000, endTimeUnixNano: start + 9_000_000,
                      attributes: [
                          Attribute("http.response.status_code", .int(error ? 500 : 200)),
                          Attribute("ratio", .double(0.25)),
                          Attribute("tags", .array([.string("a"), .int(2), .bool(false)])),
                          Attribute("nested", .keyValueList([Attribute("inner", .bytes([0, 1, 255]))])),
                          Attribute("nothing", .empty),
                      ],
                      links: [SpanLink(traceID: TraceID(high: 9, low: 9), spanID: SpanID(99), traceState: "k=v", attributes: [Attribute("why", .string("retry"))], flags: 1)],
                      status: error ? SpanStatus(code: .error, message: "HTTP 500") : SpanStatus(),
                      resource: frontendResource, scope: scope)
    let server = Span(traceID: traceID, spanID: SpanID(id << 8 | 3), parentSpanID: client.spanID, traceState: "vendor=1", flags: 0x301,
                      name: "GET /", kind: .server,
                      startTimeUnixNano: start + 3_000_000, endTimeUnixNano: start + 7_000_000,
                      events: [SpanEvent(timeUnixNano: start + 3_500_000, name: "handling request", attributes: [Attribute("n", .int(1))], droppedAttributesCount: 2)],
                      droppedEventsCount: 1,
                      status: error ? SpanStatus(code: .error, message: "HTTP 500") : SpanStatus(code: .ok),
                      resource: backendResource, scope: InstrumentationScope(name: "swift-otel", version: "1.6.0"))
    return [root, client, server]
}

/// Runs the sqlite3 shell, as a user querying the file would.
@discardableResult
public func sqlite(_ path: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = try requiredProgram("sqlite3")
    process.arguments = [path, sql]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// SplitMix64: a small seeded generator, so generated data (and a failure) reproduces from its seed.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
