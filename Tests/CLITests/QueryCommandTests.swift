import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// TraceQL through the real binary: every command that takes a query, the errors, and the TUI in tmux.
@Suite struct QueryCommandTests {
    /// Six demo-shaped traces; the even ones failed (status 500 on the client, error on the server).
    static func database(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("q.db").path
        let store = try TraceStore.openForWriting(path: path)
        for id in 1...6 as ClosedRange<UInt64> {
            try store.insert(sampleTrace(id: id, start: 1_700_000_000_000_000_000 + id * 1_000_000_000, rootNanos: id * 10_000_000, error: id % 2 == 0))
        }
        try store.writePendingIndexes()
        return path
    }

    static func ids(_ json: String) throws -> [String] {
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return rows.compactMap { $0["traceId"] as? String }
    }

    @Test func listStatsExportAndPruneTakeTheSameQuery() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.database(in: directory)
        let failed = try TraceBinary.run(["list", "--db", "q.db", "--json", "{ span.http.response.status_code = 500 }"], in: directory)
        #expect(failed.status == 0)
        #expect(try Self.ids(failed.stdout).count == 3)
        let slowFailures = try TraceBinary.run(["list", "--db", "q.db", "--json", "--query", "{ status = error } && { trace:duration > 30ms }"], in: directory)
        #expect(try Self.ids(slowFailures.stdout).count == 2)  // traces 4 and 6
        let structural = try TraceBinary.run(["list", "--db", "q.db", "--json", "--errors", "{ kind = client } > { resource.service.name = \"backend\" }"], in: directory)
        #expect(try Self.ids(structural.stdout).count == 3)

        let stats = try TraceBinary.run(["stats", "--db", "q.db", "--json", "--query", "{ } | by(resource.service.name)"], in: directory)
        #expect(stats.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let groups = try #require((object["matchedSpansBy"] as? [String: Any])?["groups"] as? [[String: Any]])
        #expect(groups.map { $0["value"] as? String } == ["frontend", "backend"])
        #expect(groups.map { $0["spans"] as? Int } == [12, 6])
        #expect(object["traces"] as? Int == 6)

        let exported = try TraceBinary.run(["export", "--db", "q.db", "--query", "{ status = error }", "--output", "-"], in: directory)
        #expect(exported.stdout.split(separator: "\n").count == 3)

        let dryRun = try TraceBinary.run(["prune", "--db", "q.db", "--query", "{ status = error }", "--dry-run"], in: directory)
        #expect(dryRun.stdout == "would delete 3 traces (9 spans) and keep 3\n")
        let pruned = try TraceBinary.run(["prune", "--db", "q.db", "--query", "{ status = error }"], in: directory)
        #expect(pruned.status == 0)
        #expect(try Self.ids(try TraceBinary.run(["list", "--db", "q.db", "--json"], in: directory).stdout).count == 3)
        #expect(try TraceBinary.run(["list", "--db", "q.db", "{ status = error }"], in: directory).stderr == "no traces match in q.db\n")
    }

    @Test func showMarksTheSpansThatMatched() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.database(in: directory)
        let id = TraceID(high: 2, low: 0xABCDEF).hex
        let shown = try TraceBinary.run(["show", id, "--db", "q.db", "--width", "100", "--query", "{ kind = server }"], in: directory)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("Matched   2 of 3 spans, marked ▸"))
        let lines = shown.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("▸ incoming call") })
        #expect(lines.contains { $0.hasPrefix("    backend call") })
        #expect(lines.contains { $0.hasPrefix("▸     GET /") })
    }

    @Test func aBadQueryIsAUsageErrorPointingAtItsColumn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.database(in: directory)
        let result = try TraceBinary.run(["list", "--db", "q.db", "{ span.http.response.status_code >= \"500\" && nmae = \"x\" }"], in: directory)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            trace: error: query, column 46: unknown intrinsic 'nmae' (known: name, status, kind, duration, statusMessage, trace:duration, trace:rootService, trace:rootName, event:name, log:severity, log:body); an attribute needs a scope: span.nmae, resource.nmae or .nmae
              { span.http.response.status_code >= "500" && nmae = "x" }
                                                           ^

            """)
        let regex = try TraceBinary.run(["stats", "--db", "q.db", "--query", "{ name =~ \"(unclosed\" }"], in: directory)
        #expect(regex.status == 64)
        #expect(regex.stderr.hasPrefix("trace: error: query, column 11: the regular expression \"(unclosed\" does not compile"))
        let twice = try TraceBinary.run(["list", "--db", "q.db", "--query", "{ }", "{ }"], in: directory)
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("give the query once"))
        // Nothing was written for a query that failed: the file is as it was.
        let pruned = try TraceBinary.run(["prune", "--db", "q.db", "--query", "{ status = }"], in: directory)
        #expect(pruned.status == 64)
        #expect(try Self.ids(try TraceBinary.run(["list", "--db", "q.db", "--json"], in: directory).stdout).count == 6)
    }

    @Test func theTUIFiltersByAQueryAndMarksItsSpans() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.database(in: directory)
        let command = "cd '\(directory.path)' && LANG=C.UTF-8 TERM=xterm-256color '\(TraceBinary.url.path)' tui --db q.db; echo TUI-EXIT:$?; exec cat"
        let tmux = try TmuxSession(command: command, width: 120, height: 30)
        _ = try tmux.waitFor("the list") { $0.contains("1/6 traces") }
        try tmux.send("/")
        try tmux.sendLiteral("{ status = }")
        try tmux.send("Enter")
        _ = try tmux.waitFor("the syntax error") { $0.contains("column 12: expected a value") }
        try tmux.send("BSpace")
        try tmux.sendLiteral("error } >> { kind = server }")
        try tmux.send("Enter")
        _ = try tmux.waitFor("the matches") { $0.contains("1/3 traces") && $0.contains("filter \"{ status = error } >> { kind = server }\"") }
        try tmux.send("Enter")
        _ = try tmux.waitFor("the marked span") { screen in
            screen.contains("▸ 1 matched the query") && screen.split(separator: "\n").contains { $0.hasPrefix("▸") && $0.contains("GET /") }
        }
        try tmux.send("q")
        _ = try tmux.waitFor("TUI-EXIT:0")
    }
}
