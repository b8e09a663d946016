import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// Log records in the same file as spans: stored whole, found by each index, retries kept once.
@Suite struct LogStoreTests {
    @Test func recordsReadBackFieldForField() throws {
        let store = try TraceStore.inMemory()
        let records = sampleLogs(id: 1)
        #expect(try store.insert(records) == InsertOutcome(inserted: 4, duplicates: 0))
        let read = try store.logRecords(matching: LogQuery(newestFirst: false)).map(\.record)
        // Oldest first by their own time, else the observed time.
        #expect(read == [records[3], records[0], records[1], records[2]])
    }

    @Test func aRetriedRequestIsStoredOnce() throws {
        let store = try TraceStore.inMemory()
        try store.insert(sampleLogs(id: 1))
        #expect(try store.insert(sampleLogs(id: 1)) == InsertOutcome(inserted: 0, duplicates: 4))
        // A record differing in one field is another record.
        var changed = sampleLogs(id: 1)[0]
        changed.attributes.append(Attribute("extra", .string("x")))
        #expect(try store.insert([changed]) == InsertOutcome(inserted: 1, duplicates: 0))
        #expect(try store.logTotals() == LogTotals(records: 5, warnOrAbove: 2, errorOrAbove: 1))
    }

    @Test func eachFilterSelectsItsRecords() throws {
        let store = try TraceStore.inMemory()
        try store.insert(sampleLogs(id: 1) + sampleLogs(id: 2, start: 1_700_000_100_000_000_000))
        let traceID = sampleTrace(id: 2)[0].traceID
        func bodies(_ query: LogQuery) throws -> [String] { try store.logRecords(matching: query).map(\.record.bodyText) }
        #expect(try bodies(LogQuery(traceID: traceID, newestFirst: false)) == ["request 2 started", #"{retry: 2, why: "slow"}"#, "price lookup failed: timeout"])
        #expect(try bodies(LogQuery(service: "backend")) == ["price lookup failed: timeout", "cache warmed", "price lookup failed: timeout", "cache warmed"])
        #expect(try bodies(LogQuery(minimumSeverityNumber: Severity.error.lowestNumber)).count == 2)
        #expect(try bodies(LogQuery(words: ["TIMEOUT price"])) == ["price lookup failed: timeout", "price lookup failed: timeout"])
        #expect(try bodies(LogQuery(words: ["why"])).count == 2, "a structured body is searched as its JSON")
        #expect(try bodies(LogQuery(words: ["request", "2"])) == ["request 2 started"])
        #expect(try bodies(LogQuery(words: ["nowhere"])).isEmpty)
        #expect(try bodies(LogQuery(since: 1_700_000_100_000_000_000)).count == 4)
        #expect(try bodies(LogQuery(limit: 1)) == ["price lookup failed: timeout"])
        let last = try store.lastStoredLogID()
        try store.insert([LogRecord(timeUnixNano: 1, body: .string("late, with an early time"))])
        #expect(try bodies(LogQuery(storedAfter: last)) == ["late, with an early time"])
        #expect(try store.errorLogCounts(inTraces: [traceID, TraceID(high: 77, low: 77)]) == [traceID: 1])
    }

    /// A service with several resources (worker processes, restarts) reads each one's newest in
    /// its index's order and merges them: the same records, in the same order, as one sort would give.
    @Test func aServiceOfSeveralResourcesReadsInTimeOrder() throws {
        let store = try TraceStore.inMemory()
        func worker(_ pid: Int64) -> Resource {
            Resource(attributes: [Attribute("service.name", .string("checkout")), Attribute("process.pid", .int(pid))])
        }
        var records: [LogRecord] = []
        for index in 0..<30 {
            // Times 1,000 to 1,029, each once, in an order that interleaves the three workers.
            let time = UInt64(1_000 + (index * 7) % 30)
            records.append(LogRecord(timeUnixNano: time, severityNumber: index % 4 == 0 ? 17 : 9,
                                     body: .string("record \(index)"), resource: worker(Int64(index % 3))))
        }
        try store.insert(records)
        try store.insert([LogRecord(timeUnixNano: 1_010, body: .string("elsewhere"), resource: Resource(attributes: [Attribute("service.name", .string("cart"))]))])
        let byTime: [String] = records.sorted { $0.timeUnixNano < $1.timeUnixNano }.map(\LogRecord.bodyText)
        let errorsNewestFirst: [String] = records.filter { $0.severityNumber == 17 }.sorted { $0.timeUnixNano > $1.timeUnixNano }.map(\LogRecord.bodyText)
        func bodies(_ query: LogQuery) throws -> [String] { try store.logRecords(matching: query).map(\.record.bodyText) }
        #expect(try bodies(LogQuery(service: "checkout", limit: 5)) == Array(byTime.reversed().prefix(5)))
        #expect(try bodies(LogQuery(service: "checkout", limit: 4, newestFirst: false)) == Array(byTime.prefix(4)))
        #expect(try bodies(LogQuery(service: "checkout", minimumSeverityNumber: 17, limit: 100)) == errorsNewestFirst)
        #expect(try bodies(LogQuery(service: "checkout")).count == 30)
        #expect(try bodies(LogQuery(service: "nobody", limit: 5)).isEmpty)
    }

    @Test func pruningATraceDeletesItsRecordsAndKeepsWhatOthersUse() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("logs.db").path
        let store = try TraceStore.openForWriting(path: path)
        try store.insert(sampleTrace(id: 1) + sampleTrace(id: 2, start: 1_800_000_000_000_000_000))
        try store.insert(sampleLogs(id: 1) + sampleLogs(id: 2, start: 1_800_000_000_000_000_000))
        #expect(try store.prune(.startedBefore(unixNano: 1_750_000_000_000_000_000)).traces == 1)
        let left = try store.logRecords(matching: LogQuery(newestFirst: false)).map(\.record)
        #expect(left == [sampleLogs(id: 2, start: 1_800_000_000_000_000_000)[3]] + sampleLogs(id: 2, start: 1_800_000_000_000_000_000)[0...2])
        // The word index forgot the deleted records, and its rows still match the table's.
        #expect(try store.logRecords(matching: LogQuery(words: ["started"])).map(\.record.bodyText) == ["request 2 started"])
        #expect(try sqlite(path, "INSERT INTO logs_text(logs_text) VALUES ('integrity-check'); SELECT 'ok'") == "ok")
        // Traces pruned by count leave the records of no trace alone.
        try store.prune(.allButNewest(count: 0))
        #expect(try store.logRecords(matching: LogQuery()).map(\.record.bodyText) == ["cache warmed"])
        #expect(try store.logRecords(matching: LogQuery()).first?.record.resource == backendResource)
    }

    @Test func theLogViewReadsAsPlainSQL() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("logs.db").path
        try TraceStore.openForWriting(path: path).insert(sampleLogs(id: 3))
        let row = try sqlite(path, "SELECT severity_number, body, service_name, trace_id, attributes FROM log WHERE severity_text = 'INFO'")
        #expect(row == #"9|request 3 started|frontend|"# + sampleTrace(id: 3)[0].traceID.hex + #"|{"user.id":3,"cart.express":true}"#)
    }
}

/// The word index is written in batches: records past its mark are matched as the index would match them.
@Suite struct LogWordIndexTests {
    @Test func wordsFindTheSameRecordsBeforeAndAfterTheIndexIsWritten() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("words.db").path
        let store = try TraceStore.openForWriting(path: path)
        try store.insert(sampleLogs(id: 1) + [LogRecord(timeUnixNano: 9, body: .string("Ünïcode Timeout-ERROR in café"), resource: backendResource)])
        let queries: [LogQuery] = [
            LogQuery(words: ["timeout"]), LogQuery(words: ["TIMEOUT", "price"]), LogQuery(words: ["unicode"]), LogQuery(words: ["CAFE"]),
            LogQuery(words: ["tim"], wordsArePrefixes: true), LogQuery(words: ["tim"]), LogQuery(words: ["slow"]), LogQuery(words: ["nowhere"]),
        ]
        func answers() throws -> [[String]] { try queries.map { try store.logRecords(matching: $0).map(\.record.bodyText) } }
        #expect(try sqlite(path, "SELECT indexed_through FROM log_text_state") == "0", "nothing indexed yet: the tail is matched by the function")
        let beforeIndexing = try answers()
        #expect(beforeIndexing.map(\.count) == [2, 1, 1, 1, 2, 0, 1, 0], "\(beforeIndexing)")
        try store.writePendingIndexes()
        #expect(try sqlite(path, "SELECT indexed_through FROM log_text_state") == "5")
        #expect(try answers() == beforeIndexing)
        // A prune removes indexed and unindexed records alike and leaves the index consistent.
        try store.insert([LogRecord(timeUnixNano: 10, body: .string("timeout again"), resource: backendResource)])
        try store.prune(.startedBefore(unixNano: .max))
        #expect(try store.logRecords(matching: LogQuery(words: ["timeout"])).isEmpty)
        #expect(try sqlite(path, "INSERT INTO logs_text(logs_text) VALUES ('integrity-check'); SELECT 'ok'") == "ok")
    }
}
