// Benchmark: how fast the TUI opens a large database and handles keys on a very large trace.
// Run: swift run -c release tui-benchmark [traces] [spans-in-big-trace] [tree|chain]   (default 100000, 10000, tree)
// `chain` makes the big trace one parent chain as deep as it has spans.
import Foundation
import TraceFixtures
import TraceModel
import TraceStore
import TraceTUI

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let traceCount = arguments.first ?? 100_000
let bigTraceSpans = arguments.dropFirst().first ?? 10_000
let chainShape = CommandLine.arguments.contains("chain")
let width = 160, height = 48

/// Milliseconds of each run of `body`, and a one-line summary of them.
func measure(_ label: String, runs: Int, untimed prepare: () throws -> Void = {}, _ body: () throws -> Void) rethrows {
    var samples: [Double] = []
    for _ in 0..<runs {
        try prepare()
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let p99 = samples[min(samples.count - 1, Int((Double(samples.count) * 0.99).rounded(.up)) - 1)]
    print(label.padding(toLength: 44, withPad: " ", startingAt: 0)
          + String(format: "median %8.2f ms   p99 %8.2f ms   max %8.2f ms   (%d runs)", median, p99, samples.last!, runs))
}

/// One trace of `count` spans: a root with 100 children, each with its own chain of children.
func bigTrace(spans count: Int, start: UInt64) -> [Span] {
    let traceID = TraceID(high: 0xB16, low: 0x7ACE)
    var spans = [Span(traceID: traceID, spanID: SpanID(1), name: "incoming call", kind: .server,
                      startTimeUnixNano: start, endTimeUnixNano: start + UInt64(count) * 10_000,
                      resource: frontendResource, scope: scope)]
    let branches = chainShape ? 1 : 100
    for index in 1..<count {
        let parent = index <= branches ? SpanID(1) : SpanID(UInt64(index - branches + 1))
        let offset = start + UInt64(index) * 5_000
        spans.append(Span(traceID: traceID, spanID: SpanID(UInt64(index + 1)), parentSpanID: parent, name: "step \(index % 37)",
                          kind: index % 2 == 0 ? .client : .internal, startTimeUnixNano: offset, endTimeUnixNano: offset + 40_000,
                          attributes: [Attribute("index", .int(Int64(index)))],
                          events: index % 10 == 0 ? [SpanEvent(timeUnixNano: offset + 1_000, name: "tick")] : [],
                          resource: index % 3 == 0 ? backendResource : frontendResource, scope: scope))
    }
    return spans
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tui-benchmark-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let path = directory.appendingPathComponent("bench.db").path

print("== setup: \(traceCount) traces of 3 spans, plus one trace of \(bigTraceSpans) spans (the newest\(chainShape ? ", one chain" : ""))")
let setupStart = ContinuousClock.now
do {
    let store = try TraceStore.openForWriting(path: path)
    let base: UInt64 = 1_700_000_000_000_000_000
    var batch: [Span] = []
    for id in 1...traceCount {
        batch += sampleTrace(id: UInt64(id), start: base + UInt64(id) * 1_000_000, rootNanos: UInt64(1 + id % 97) * 100_000, error: id % 50 == 0)
        if batch.count >= 3_000 { try store.insert(batch); batch.removeAll(keepingCapacity: true) }
    }
    try store.insert(batch)
    try store.insert(bigTrace(spans: bigTraceSpans, start: base + UInt64(traceCount + 1) * 1_000_000))
    // The oldest trace: a service name and a span name of a megabyte each.
    let huge = String(repeating: "service-name-", count: 80_000)
    try store.insert(sampleTrace(id: 0xFFFF, start: base - 1_000_000_000).map { span in
        var span = span
        span.name = huge
        span.resource = Resource(attributes: [Attribute("service.name", .string(huge))])
        return span
    })
}
print("setup took \(ContinuousClock.now - setupStart); file \(((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_000_000) MB")

print("== open (\(width)×\(height)): open the file read-only, build the browser, draw the first screen")
try measure("open database + first screen", runs: 15) {
    let browser = try TraceBrowser(store: try TraceStore.openForReading(path: path), width: width, height: height)
    _ = browser.draw()
}

let store = try TraceStore.openForReading(path: path)
let browser = try TraceBrowser(store: store, width: width, height: height)
print("== trace list of \(traceCount + 1) traces: one key, then draw")
try measure("↓ (move down)", runs: 200) { _ = try browser.handle(.down); _ = browser.draw() }
try measure("PgDn", runs: 100) { _ = try browser.handle(.pageDown); _ = browser.draw() }
try measure("G then g (last page, first page)", runs: 20) {
    _ = try browser.handle(.character("G")); _ = browser.draw()
    _ = try browser.handle(.character("g")); _ = browser.draw()
}
try measure("s (sort by duration and back)", runs: 10) {
    _ = try browser.handle(.character("s")); _ = browser.draw()
    _ = try browser.handle(.character("s")); _ = browser.draw()
}

print("== the \(bigTraceSpans)-span trace")
try measure("read it from the store (TraceStore.trace)", runs: 10) {
    _ = try store.trace(TraceID(high: 0xB16, low: 0x7ACE))
}
try measure("read it without attributes/events/links", runs: 10) {
    _ = try store.trace(TraceID(high: 0xB16, low: 0x7ACE), details: false)
}
_ = try browser.handle(.character("g"))
try measure("Enter (load, lay out, draw) then Esc", runs: 10) {
    _ = try browser.handle(.enter); _ = browser.draw()
    _ = try browser.handle(.escape)
}
_ = try browser.handle(.enter)
guard browser.draw().lines[0].contains("\(bigTraceSpans) spans") else { fatalError("the big trace did not open: \(browser.draw().lines[0])") }
try measure("↓ (move down)", runs: 500) { _ = try browser.handle(.down); _ = browser.draw() }
try measure("↑ (move up)", runs: 200) { _ = try browser.handle(.up); _ = browser.draw() }
try measure("PgDn", runs: 100) { _ = try browser.handle(.pageDown); _ = browser.draw() }
try measure("G / g", runs: 50) { _ = try browser.handle(.character("G")); _ = browser.draw(); _ = try browser.handle(.character("g")); _ = browser.draw() }
_ = try browser.handle(.character("g"))
try measure("Space (fold/unfold the root)", runs: 50) { _ = try browser.handle(.character(" ")); _ = browser.draw() }
try measure("b (breakdown overlay on and off)", runs: 20) {
    _ = try browser.handle(.character("b")); _ = browser.draw(); _ = try browser.handle(.character("b")); _ = browser.draw()
}
try measure("c (critical path on and off)", runs: 20) {
    _ = try browser.handle(.character("c")); _ = browser.draw(); _ = try browser.handle(.character("c")); _ = browser.draw()
}
_ = try browser.handle(.character("/"))
var typed = ""
try measure("typing a find query (/step 1, one key)", runs: 60, untimed: {
    if typed == "step 1" { typed = ""; for _ in 0..<6 { _ = try browser.handle(.backspace) } }
}) {
    let character = "step 1"[typed.endIndex]
    typed.append(character)
    _ = try browser.handle(.character(character)); _ = browser.draw()
}
_ = try browser.handle(.enter)
try measure("n (next match)", runs: 200) { _ = try browser.handle(.character("n")); _ = browser.draw() }

print("== a trace whose service and span names are a megabyte each")
_ = try browser.handle(.escape)
_ = try browser.handle(.character("G"))
try measure("Enter (open it) then Esc", runs: 5) { _ = try browser.handle(.enter); _ = browser.draw(); _ = try browser.handle(.escape) }
_ = try browser.handle(.enter)
guard browser.draw().lines[0].contains("3 spans") else { fatalError("the huge-name trace did not open: \(browser.draw().lines[0].prefix(80))") }
try measure("↓ / ↑ (the detail pane follows)", runs: 50) { _ = try browser.handle(.down); _ = browser.draw(); _ = try browser.handle(.up); _ = browser.draw() }
try measure("b (breakdown overlay on and off)", runs: 10) {
    _ = try browser.handle(.character("b")); _ = browser.draw(); _ = try browser.handle(.character("b")); _ = browser.draw()
}

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print("peak resident memory: \(usage.ru_maxrss / 1024) MB")
