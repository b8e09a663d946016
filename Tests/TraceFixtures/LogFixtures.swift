import TraceModel

/// The log records a `sampleTrace(id:)` request would log: one per span, at INFO, WARN and ERROR,
/// one with a structured body, plus one of no trace at all.
public func sampleLogs(id: UInt64, start: UInt64 = 1_700_000_000_000_000_000) -> [LogRecord] {
    let spans = sampleTrace(id: id, start: start)
    let traceID = spans[0].traceID
    return [
        LogRecord(timeUnixNano: start + 100, observedTimeUnixNano: start + 200, severityNumber: 9, severityText: "INFO",
                  body: .string("request \(id) started"), attributes: [Attribute("user.id", .int(Int64(id))), Attribute("cart.express", .bool(true))],
                  flags: 1, traceID: traceID, spanID: spans[0].spanID, resource: frontendResource, scope: scope),
        LogRecord(timeUnixNano: start + 2_000_000, severityNumber: 13, body: .keyValueList([Attribute("retry", .int(2)), Attribute("why", .string("slow"))]),
                  droppedAttributesCount: 3, traceID: traceID, spanID: spans[1].spanID, eventName: "backend.retry", resource: frontendResource, scope: scope),
        LogRecord(timeUnixNano: 0, observedTimeUnixNano: start + 4_000_000, severityNumber: 17, severityText: "Error",
                  body: .string("price lookup failed: timeout"), attributes: [Attribute("db.rows", .array([.int(1), .double(2.5)]))],
                  traceID: traceID, spanID: spans[2].spanID, resource: backendResource, scope: InstrumentationScope(name: "swift-log")),
        LogRecord(timeUnixNano: start + 50, severityNumber: 5, body: .string("cache warmed"), resource: backendResource),
    ]
}
