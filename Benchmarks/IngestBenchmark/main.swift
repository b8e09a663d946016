// Benchmark: spans a second into `trace collect`, bytes a span on disk, and the ceiling: a plain
// prepared-INSERT loop of the very same rows into the same schema, measured in the same run.
// Run: swift build -c release && .build/release/ingest-benchmark [requests] [spans-per-request] [senders] [seed]
// (default 500 × 2,000 spans, 2 senders, seed 1): 5-span demo-shaped traces, 4–7 attributes a span.
// `ingest-benchmark logs [...]` measures log records instead (LogsBenchmark.swift), `ingest-benchmark metrics [...]` metric points (MetricsBenchmark.swift).
// KEEP_DATABASES=1 keeps the two database files (their folder is under $TMPDIR) for a closer look.
import AsyncHTTPClient
import CSQLiteSetup
import GRPCCore
import GRPCNIOTransportHTTP2
import Foundation
import GRDBSQLite
import NIOCore
import OTLP
import TraceFixtures
import TraceModel
import TraceStore

// The raw loop's connection gets the SQLite settings collect's get (no per-call mutex, no memory
// count), so the ceiling is the fastest plain loop, not one slowed by locks collect avoids.
_ = trace_sqlite3_configure_for_one_thread_per_connection()

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let traceBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("trace")
if CommandLine.arguments.dropFirst().first == "metrics" {
    try await benchmarkMetrics(arguments)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "logs" {
    try await benchmarkLogs(arguments)
    exit(0)
}
let requestCount = arguments.count > 0 ? arguments[0] : 500
let spansPerRequest = arguments.count > 1 ? arguments[1] : 2_000
let senders = arguments.count > 2 ? arguments[2] : 2
let seed = UInt64(arguments.count > 3 ? arguments[3] : 1)

/// One request's spans: whole 5-span traces shaped like the demo's (frontend root, client call,
/// an HTTP phase, backend server span, a backend internal step).
func demoSpans(count: Int, random: inout SeededRandom, clock: inout UInt64) -> [Span] {
    let frontend = Resource(attributes: [Attribute("service.name", .string("frontend")), Attribute("service.namespace", .string("trace-demo")),
                                         Attribute("telemetry.sdk.language", .string("swift"))])
    let backend = Resource(attributes: [Attribute("service.name", .string("backend")), Attribute("service.namespace", .string("trace-demo")),
                                        Attribute("telemetry.sdk.language", .string("swift"))])
    let scope = InstrumentationScope(name: "OT-tracing-demo", version: "1.0.0")
    var spans: [Span] = []
    spans.reserveCapacity(count)
    while spans.count < count {
        let traceID = TraceID(high: random.next(), low: random.next())
        let ids = (0..<5).map { _ in SpanID(random.next() | 1) }
        let start = clock
        clock += UInt64.random(in: 50_000...400_000, using: &random)
        let total = UInt64.random(in: 300_000...3_000_000, using: &random)
        let status: Int64 = Int.random(in: 0..<100, using: &random) < 3 ? 500 : 200
        let port = Int64.random(in: 30_000...60_000, using: &random)
        let peer = Int64.random(in: 30_000...60_000, using: &random)
        func http(_ extra: [Attribute]) -> [Attribute] {
            [Attribute("http.request.method", .string("GET")), Attribute("http.response.status_code", .int(status))] + extra
        }
        spans.append(Span(traceID: traceID, spanID: ids[0], name: "incoming call", kind: .server, startTimeUnixNano: start, endTimeUnixNano: start + total,
                          attributes: http([Attribute("url.path", .string("/")), Attribute("server.port", .int(port)),
                                            Attribute("network.peer.address", .string("127.0.0.1")), Attribute("client.address", .string("127.0.0.1"))]),
                          events: [SpanEvent(timeUnixNano: start + 20_000, name: "request received"),
                                   SpanEvent(timeUnixNano: start + total - 10_000, name: "backend responded", attributes: [Attribute("http.response.status_code", .int(status))])],
                          status: SpanStatus(code: status == 500 ? .error : .unset), resource: frontend, scope: scope))
        spans.append(Span(traceID: traceID, spanID: ids[1], parentSpanID: ids[0], name: "backend call", kind: .client,
                          startTimeUnixNano: start + 30_000, endTimeUnixNano: start + total - 20_000,
                          attributes: http([Attribute("url.full", .string("http://localhost:\(port)/")), Attribute("server.address", .string("localhost")),
                                            Attribute("http.connection.reused", .bool(Bool.random(using: &random))), Attribute("network.peer.port", .int(peer))]),
                          events: [SpanEvent(timeUnixNano: start + 40_000, name: "injecting trace context")],
                          resource: frontend, scope: scope))
        spans.append(Span(traceID: traceID, spanID: ids[2], parentSpanID: ids[1], name: "http.wait", kind: .internal,
                          startTimeUnixNano: start + 60_000, endTimeUnixNano: start + total - 40_000,
                          attributes: [Attribute("network.peer.port", .int(peer)), Attribute("http.request.body.size", .int(0)),
                                       Attribute("http.response.body.size", .int(2)), Attribute("network.protocol.version", .string("1.1"))],
                          resource: frontend, scope: scope))
        spans.append(Span(traceID: traceID, spanID: ids[3], parentSpanID: ids[1], name: "GET /", kind: .server,
                          startTimeUnixNano: start + 80_000, endTimeUnixNano: start + total - 60_000,
                          attributes: http([Attribute("url.path", .string("/")), Attribute("url.scheme", .string("http")),
                                            Attribute("user_agent.original", .string("trace-demo")), Attribute("network.peer.port", .int(peer)),
                                            Attribute("http.route", .string("/"))]),
                          events: [SpanEvent(timeUnixNano: start + 90_000, name: "handling request")],
                          status: SpanStatus(code: status == 500 ? .error : .unset), resource: backend, scope: scope))
        spans.append(Span(traceID: traceID, spanID: ids[4], parentSpanID: ids[3], name: "load profile", kind: .internal,
                          startTimeUnixNano: start + 100_000, endTimeUnixNano: start + total - 80_000,
                          attributes: [Attribute("db.system", .string("sqlite")), Attribute("db.operation", .string("SELECT")),
                                       Attribute("db.rows", .int(Int64.random(in: 0...50, using: &random))), Attribute("cache.hit", .bool(Bool.random(using: &random)))],
                          resource: backend, scope: scope))
    }
    return Array(spans.prefix(count))
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
func fileSize(_ path: String) -> Int { ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: path + $1)[.size] as? Int) ?? 0) } }
func format(_ number: Double) -> String { String(format: "%.0f", number) }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Milliseconds one `trace` process takes, as a user runs it; it must succeed.
func timedRun(_ arguments: [String]) -> Double {
    let process = Process()
    process.executableURL = traceBinary
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let start = ContinuousClock.now
    try! process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fatalError("trace \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    return seconds(ContinuousClock.now - start) * 1000
}

// MARK: The workload

var random = SeededRandom(seed: seed)
var clock: UInt64 = 1_800_000_000_000_000_000
let bodies: [ByteBuffer] = (0..<requestCount).map { _ in
    ByteBuffer(bytes: try! ExportTraceServiceRequest(spans: demoSpans(count: spansPerRequest, random: &random, clock: &clock)).serializedBytes() as [UInt8])
}
let totalSpans = requestCount * spansPerRequest
print("workload: \(requestCount) protobuf requests × \(spansPerRequest) spans = \(totalSpans) spans (seed \(seed)), "
      + "\(bodies.reduce(0) { $0 + $1.readableBytes } / totalSpans) bytes a span on the wire, \(senders) senders")

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-benchmark-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { if ProcessInfo.processInfo.environment["KEEP_DATABASES"] == nil { try? FileManager.default.removeItem(at: directory) } }
let collectPath = directory.appendingPathComponent("collect.db").path

// MARK: trace collect

/// A `trace collect` into `path` on free ports; its OTLP/HTTP and OTLP/gRPC ports.
func startCollect(into path: String) throws -> (process: Process, httpPort: Int, grpcPort: Int) {
    let collect = Process()
    collect.executableURL = traceBinary
    collect.arguments = ["collect", "--http-port", "0", "--grpc-port", "0", "--db", path]
    let banner = Pipe()
    collect.standardError = banner
    try collect.run()
    var bannerText = ""
    while !bannerText.contains("Ctrl-C to stop") {
        let chunk = banner.fileHandleForReading.availableData
        guard !chunk.isEmpty else { fatalError("trace collect exited before listening: \(bannerText)") }
        bannerText += String(decoding: chunk, as: UTF8.self)
    }
    func port(before suffix: String) -> Int {
        guard let range = bannerText.range(of: ":[0-9]+" + suffix, options: .regularExpression),
              let port = Int(bannerText[range].dropFirst().prefix { $0.isNumber }) else { fatalError("no port in: \(bannerText)") }
        return port
    }
    return (collect, port(before: "/v1/traces"), port(before: #" \(OTLP/gRPC\)"#))
}

/// Sends every body as an OTLP/HTTP protobuf request, `senders` at a time; each must be answered 200.
func post(_ bodies: [ByteBuffer], to url: String, senders: Int) async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for sender in 0..<senders {
            group.addTask {
                for index in stride(from: sender, to: bodies.count, by: senders) {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/x-protobuf")
                    request.body = .bytes(bodies[index])
                    let response = try await client.execute(request, timeout: .seconds(300))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .ok else { fatalError("request \(index): HTTP \(response.status.code)") }
                }
            }
        }
        try await group.waitForAll()
    }
    try await client.shutdown()
}

/// User and system time of the exited child processes so far.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Stops a collect and checks it stored every span; its rate in spans a second.
func finish(_ collect: Process, path: String, seconds elapsed: Double) throws -> Double {
    collect.interrupt()
    collect.waitUntilExit()
    let stored = try TraceStore.openForReading(path: path).totals().spans
    guard stored == totalSpans else { fatalError("collect stored \(stored) of \(totalSpans) spans") }
    return Double(totalSpans) / elapsed
}

let (collect, httpPort, _) = try startCollect(into: collectPath)
let collectStart = ContinuousClock.now
try await post(bodies, to: "http://127.0.0.1:\(httpPort)/v1/traces", senders: senders)
let collectSeconds = seconds(ContinuousClock.now - collectStart)
let collectRate = try finish(collect, path: collectPath, seconds: collectSeconds)
let bytesPerSpan = Double(fileSize(collectPath)) / Double(totalSpans)
print("trace collect: \(totalSpans) spans acknowledged and stored in \(String(format: "%.2f", collectSeconds)) s = \(format(collectRate)) spans/s")
// The collect has exited, so its processor time is in the children's: how many of the cores it kept busy.
let collectCPU = childrenCPUSeconds()
print(String(format: "               collect used %.2f s of processor time, %.2f cores on average", collectCPU, collectCPU / collectSeconds))
print("on disk:       \(fileSize(collectPath)) bytes = \(format(bytesPerSpan)) bytes a span (indexes included)")

// MARK: The same requests over OTLP/gRPC, into a second collect

/// The request bodies are already protobuf: sent as they are.
struct PreSerialized: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: ByteBuffer) throws -> Bytes { Bytes(message.readableBytesView) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> ByteBuffer { ByteBuffer() }
}

let grpcPath = directory.appendingPathComponent("collect-grpc.db").path
let (grpcCollect, _, grpcPort) = try startCollect(into: grpcPath)
let grpcStart = ContinuousClock.now
try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)) { client in
    try await withThrowingTaskGroup(of: Void.self) { group in
        for sender in 0..<senders {
            group.addTask {
                for index in stride(from: sender, to: bodies.count, by: senders) {
                    _ = try await client.unary(
                        request: ClientRequest(message: bodies[index]), descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
                        serializer: PreSerialized(), deserializer: PreSerialized(), options: .defaults) { try $0.message }
                }
            }
        }
        try await group.waitForAll()
    }
}
let grpcRate = try finish(grpcCollect, path: grpcPath, seconds: seconds(ContinuousClock.now - grpcStart))
print("over gRPC:     the same requests into a second collect at \(format(grpcRate)) spans/s; gRPC ÷ HTTP \(String(format: "%.2f", grpcRate / collectRate))")

// MARK: The ceiling: the same rows, the same schema, a bare prepared-INSERT loop in C

/// A column value as SQLite returned it, to be bound back as it was.
enum Value {
    case int(Int64), real(Double), text([UInt8]), blob([UInt8]), null
}

/// Every row of a table as `collect` wrote it, in its order.
func rows(of table: String, orderedBy order: String, in db: OpaquePointer) -> [[Value]] {
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "SELECT * FROM \(table) ORDER BY \(order)", -1, &statement, nil)
    defer { sqlite3_finalize(statement) }
    var rows: [[Value]] = []
    while sqlite3_step(statement) == SQLITE_ROW {
        rows.append((0..<sqlite3_column_count(statement)).map { column in
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .int(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT: return .text(Array(UnsafeBufferPointer(start: sqlite3_column_text(statement, column), count: Int(sqlite3_column_bytes(statement, column)))))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(statement, column))
                return .blob(count == 0 ? [] : Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, column), count: count)))
            default: return .null
            }
        })
    }
    return rows
}

func check(_ code: Int32, _ db: OpaquePointer?, _ what: String) {
    guard code == SQLITE_OK || code == SQLITE_DONE else { fatalError("\(what): \(String(cString: sqlite3_errmsg(db)))") }
}

func insert(_ rows: ArraySlice<[Value]>, into table: String, db: OpaquePointer, statement: inout OpaquePointer?) {
    guard let width = rows.first?.count else { return }
    if statement == nil {
        check(sqlite3_prepare_v2(db, "INSERT INTO \(table) VALUES (\(Array(repeating: "?", count: width).joined(separator: ",")))", -1, &statement, nil), db, table)
    }
    let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    for row in rows {
        for (index, value) in row.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .int(let number): sqlite3_bind_int64(statement, position, number)
            case .real(let number): sqlite3_bind_double(statement, position, number)
            case .text(let bytes): bytes.withUnsafeBufferPointer { _ = sqlite3_bind_text(statement, position, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
            case .blob(let bytes): bytes.withUnsafeBytes { _ = sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), transient) }
            case .null: sqlite3_bind_null(statement, position)
            }
        }
        check(sqlite3_step(statement), db, "insert into \(table)")
        sqlite3_reset(statement)
    }
}

var source: OpaquePointer?
check(sqlite3_open_v2(collectPath, &source, SQLITE_OPEN_READONLY, nil), source, "open")
let traceRows = rows(of: "traces", orderedBy: "id", in: source!)
let serviceRows = rows(of: "trace_services", orderedBy: "trace_ref, service_id", in: source!)
let spanRows = rows(of: "spans", orderedBy: "rowid", in: source!)
let dictionaryRows = ["services", "span_names", "attribute_keys", "resources", "scopes"].map { ($0, rows(of: $0, orderedBy: "id", in: source!)) }
let postingRows = rows(of: "attribute_postings", orderedBy: "key_id, value, chunk", in: source!)
sqlite3_close(source)

let rawPath = directory.appendingPathComponent("raw.db").path
_ = try TraceStore.openForWriting(path: rawPath)  // the same schema, made by the same migrations
var raw: OpaquePointer?
// Without SQLite's per-call mutex, as collect's connections: the ceiling is the fastest plain loop.
check(sqlite3_open_v2(rawPath, &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil), raw, "open")
// The settings TraceStore.openForWriting gives its own connection.
for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -24576", "PRAGMA wal_autocheckpoint = 10000"] { sqlite3_exec(raw, pragma, nil, nil, nil) }
for (table, tableRows) in dictionaryRows {
    var statement: OpaquePointer?
    insert(tableRows[...], into: table, db: raw!, statement: &statement)
    sqlite3_finalize(statement)
}
var insertTrace: OpaquePointer?, insertService: OpaquePointer?, insertSpan: OpaquePointer?, insertPosting: OpaquePointer?
let rawStart = ContinuousClock.now
// The rows of each request in one transaction, as collect committed them: traces first appear
// in rowid order, and each request brings spansPerRequest spans.
let tracesPerRequest = (traceRows.count + requestCount - 1) / requestCount
let servicesPerTrace = Double(serviceRows.count) / Double(max(1, traceRows.count))
for request in 0..<requestCount {
    sqlite3_exec(raw, "BEGIN", nil, nil, nil)
    let traces = min(traceRows.count, request * tracesPerRequest)..<min(traceRows.count, (request + 1) * tracesPerRequest)
    insert(traceRows[traces], into: "traces", db: raw!, statement: &insertTrace)
    let services = min(serviceRows.count, Int(Double(traces.lowerBound) * servicesPerTrace))..<(request == requestCount - 1 ? serviceRows.count : min(serviceRows.count, Int(Double(traces.upperBound) * servicesPerTrace)))
    insert(serviceRows[services], into: "trace_services", db: raw!, statement: &insertService)
    insert(spanRows[(request * spansPerRequest)..<((request + 1) * spansPerRequest)], into: "spans", db: raw!, statement: &insertSpan)
    // The attribute index's final rows, written once (collect grows them request by request):
    // a share of them with each request, which flatters the ceiling.
    let postings = (request * postingRows.count / requestCount)..<((request + 1) * postingRows.count / requestCount)
    insert(postingRows[postings], into: "attribute_postings", db: raw!, statement: &insertPosting)
    check(sqlite3_exec(raw, "COMMIT", nil, nil, nil), raw, "commit")
}
let rawSeconds = seconds(ContinuousClock.now - rawStart)
for statement in [insertTrace, insertService, insertSpan, insertPosting] { sqlite3_finalize(statement) }
sqlite3_close(raw)
let rawRate = Double(totalSpans) / rawSeconds
print("raw loop:      the same \(totalSpans) rows bound and stepped in C, one transaction a request, in \(String(format: "%.2f", rawSeconds)) s = \(format(rawRate)) spans/s")
print(String(format: "collect ÷ raw: %.2f", collectRate / rawRate))
