import AsyncHTTPClient
import CSQLiteSetup
import Foundation
import GRDBSQLite
import NIOCore
import OTLP
import TraceFixtures
import TraceModel
import TraceStore

/// `ingest-benchmark logs [requests] [records-per-request] [senders] [seed]`: log records a second
/// into `trace collect` (default 500 × 2,000 demo-shaped records, 2 senders), bytes a record on disk
/// (indexes and the word index included), the raw-loop ceiling of the same rows, and how fast
/// `trace logs --grep` (a rare word) and `trace logs --trace` answer on the file, against `trace --version`.
func benchmarkLogs(_ arguments: [Int]) async throws {
    let requestCount = arguments.count > 0 ? arguments[0] : 500
    let recordsPerRequest = arguments.count > 1 ? arguments[1] : 2_000
    let senders = arguments.count > 2 ? arguments[2] : 2
    var random = SeededRandom(seed: UInt64(arguments.count > 3 ? arguments[3] : 1))
    let total = requestCount * recordsPerRequest
    // One record in 100,000 holds the rare word a `--grep` looks for.
    let rareEvery = 100_000
    var clock: UInt64 = 1_800_000_000_000_000_000
    var someTrace: TraceID?
    let bodies: [ByteBuffer] = (0..<requestCount).map { request in
        var records: [LogRecord] = []
        records.reserveCapacity(recordsPerRequest)
        for index in 0..<recordsPerRequest {
            let number = request * recordsPerRequest + index
            let records3 = demoLogRecords(random: &random, clock: &clock, rare: number % rareEvery == rareEvery / 2)
            records += records3
            if someTrace == nil { someTrace = records3.first?.traceID }
            if records.count >= recordsPerRequest { break }
        }
        return ByteBuffer(bytes: try! ExportLogsServiceRequest(records: Array(records.prefix(recordsPerRequest))).serializedBytes() as [UInt8])
    }
    print("workload: \(requestCount) protobuf requests × \(recordsPerRequest) log records = \(total) records, "
          + "\(bodies.reduce(0) { $0 + $1.readableBytes } / total) bytes a record on the wire, \(senders) senders")

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("log-benchmark-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { if ProcessInfo.processInfo.environment["KEEP_DATABASES"] == nil { try? FileManager.default.removeItem(at: directory) } }
    let path = directory.appendingPathComponent("logs.db").path

    let (collect, httpPort, _) = try startCollect(into: path)
    let start = ContinuousClock.now
    try await post(bodies, to: "http://127.0.0.1:\(httpPort)/v1/logs", senders: senders)
    let elapsed = seconds(ContinuousClock.now - start)
    collect.interrupt()
    collect.waitUntilExit()
    let stored = try TraceStore.openForReading(path: path).logTotals().records
    guard stored == total else { fatalError("collect stored \(stored) of \(total) log records") }
    let rate = Double(total) / elapsed
    print("trace collect: \(total) log records acknowledged and stored in \(String(format: "%.2f", elapsed)) s = \(format(rate)) records/s")
    print("on disk:       \(fileSize(path)) bytes = \(format(Double(fileSize(path)) / Double(total))) bytes a record (indexes and the word index included)")

    // The ceiling: the same rows into the same schema (its triggers feed the word index too).
    var source: OpaquePointer?
    check(sqlite3_open_v2(path, &source, SQLITE_OPEN_READONLY, nil), source, "open")
    let logRows = rows(of: "logs", orderedBy: "id", in: source!)
    let traceRows = rows(of: "log_traces", orderedBy: "id", in: source!)
    let dictionaryRows = ["services", "attribute_keys", "resources", "scopes"].map { ($0, rows(of: $0, orderedBy: "id", in: source!)) }
    sqlite3_close(source)
    let rawPath = directory.appendingPathComponent("raw.db").path
    _ = try TraceStore.openForWriting(path: rawPath)
    var raw: OpaquePointer?
    check(sqlite3_open_v2(rawPath, &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil), raw, "open")
    for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -24576", "PRAGMA wal_autocheckpoint = 10000"] { sqlite3_exec(raw, pragma, nil, nil, nil) }
    for (table, tableRows) in dictionaryRows {
        var statement: OpaquePointer?
        insert(tableRows[...], into: table, db: raw!, statement: &statement)
        sqlite3_finalize(statement)
    }
    var insertLog: OpaquePointer?, insertTrace: OpaquePointer?
    let rawStart = ContinuousClock.now
    for request in 0..<requestCount {
        sqlite3_exec(raw, "BEGIN", nil, nil, nil)
        // Each request's share of the traces its records first name, as collect added them.
        insert(traceRows[(request * traceRows.count / requestCount)..<((request + 1) * traceRows.count / requestCount)], into: "log_traces", db: raw!, statement: &insertTrace)
        insert(logRows[(request * recordsPerRequest)..<((request + 1) * recordsPerRequest)], into: "logs", db: raw!, statement: &insertLog)
        // The word index, as collect's writer adds it: every 20,000 records, and the rest at the end.
        if (request + 1) * recordsPerRequest % 20_000 < recordsPerRequest || request == requestCount - 1 {
            check(sqlite3_exec(raw, """
                INSERT INTO logs_text(rowid, body) SELECT id, coalesce(body, body_value, '') FROM logs WHERE id > (SELECT indexed_through FROM log_text_state);
                UPDATE log_text_state SET indexed_through = (SELECT coalesce(max(id), 0) FROM logs);
                """, nil, nil, nil), raw, "word index")
        }
        check(sqlite3_exec(raw, "COMMIT", nil, nil, nil), raw, "commit")
    }
    let rawSeconds = seconds(ContinuousClock.now - rawStart)
    sqlite3_finalize(insertLog)
    sqlite3_finalize(insertTrace)
    sqlite3_close(raw)
    let rawRate = Double(total) / rawSeconds
    print("raw loop:      the same \(total) rows bound and stepped in C, one transaction a request, in \(String(format: "%.2f", rawSeconds)) s = \(format(rawRate)) records/s")
    print(String(format: "collect ÷ raw: %.2f", rate / rawRate))

    // Reading it back: whole processes, as a user runs them, alternating with `trace --version`.
    _ = timedRun(["logs", "--db", path, "--grep", "kraken"])
    var version: [Double] = [], grep: [Double] = [], byTrace: [Double] = []
    for _ in 0..<11 {
        version.append(timedRun(["--version"]))
        grep.append(timedRun(["logs", "--db", path, "--grep", "kraken"]))
        byTrace.append(timedRun(["logs", "--db", path, "--trace", someTrace!.hex]))
    }
    print(String(format: "trace logs --grep kraken (%d of %d records): median %.1f ms; trace logs --trace ID: median %.1f ms; trace --version: median %.1f ms (--trace ÷ --version %.2f), 11 alternating runs",
                 total / rareEvery, total, median(grep), median(byTrace), median(version), median(byTrace) / median(version)))
}

/// One demo request's three records (the frontend's start and answer, the backend's handling), a
/// short body, 4 attributes, trace context; `rare` puts the benchmark's rare word in one body.
func demoLogRecords(random: inout SeededRandom, clock: inout UInt64, rare: Bool) -> [LogRecord] {
    let frontend = Resource(attributes: [Attribute("service.name", .string("frontend")), Attribute("service.namespace", .string("trace-demo"))])
    let backend = Resource(attributes: [Attribute("service.name", .string("backend")), Attribute("service.namespace", .string("trace-demo"))])
    let scope = InstrumentationScope(name: "OT-tracing-demo")
    let traceID = TraceID(high: random.next(), low: random.next())
    let (root, server) = (SpanID(random.next() | 1), SpanID(random.next() | 1))
    let start = clock
    clock += UInt64.random(in: 50_000...400_000, using: &random)
    let status: Int64 = Int.random(in: 0..<100, using: &random) < 3 ? 500 : 200
    func attributes(_ line: Int64) -> [Attribute] {
        [Attribute("code.file.path", .string("DemoServices/Frontend.swift")), Attribute("code.line.number", .int(line)),
         Attribute("http.response.status_code", .int(status)), Attribute("request.id", .int(Int64(random.next() % 1_000_000)))]
    }
    return [
        LogRecord(timeUnixNano: start + 10_000, observedTimeUnixNano: start + 11_000, severityNumber: 9, severityText: "INFO",
                  body: .string(rare ? "request started by kraken" : "request started"), attributes: attributes(31), flags: 1,
                  traceID: traceID, spanID: root, resource: frontend, scope: scope),
        LogRecord(timeUnixNano: start + 90_000, observedTimeUnixNano: start + 91_000, severityNumber: status == 500 ? 17 : 9,
                  severityText: status == 500 ? "ERROR" : "INFO", body: .string(status == 500 ? "injected failure: answering 500" : "handling request"),
                  attributes: attributes(35), flags: 1, traceID: traceID, spanID: server, resource: backend, scope: scope),
        LogRecord(timeUnixNano: start + 200_000, observedTimeUnixNano: start + 201_000, severityNumber: status == 500 ? 13 : 9,
                  severityText: status == 500 ? "WARN" : "INFO", body: .string("backend answered \(status)"), attributes: attributes(44), flags: 1,
                  traceID: traceID, spanID: root, resource: frontend, scope: scope),
    ]
}
