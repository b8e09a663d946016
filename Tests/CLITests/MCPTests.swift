import Foundation
import Testing
import TraceFixtures

/// `trace mcp` driven by a client nobody here wrote, the `mcp` package from PyPI, over stdio:
/// every tool called on a known file, its numbers checked against the CLI's own.
@Suite struct MCPTests {
    func session(_ calls: [(String, [String: Any])], db: String, in directory: URL) throws -> [String: Any] {
        let python = try TestPython.interpreter()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mcp_session.py")
        let callsJSON = String(decoding: try JSONSerialization.data(withJSONObject: calls.map { [$0.0, $0.1] as [Any] }), as: UTF8.self)
        let result = try runPython([script.path, TraceBinary.url.path, directory.appendingPathComponent(db).path, callsJSON], interpreter: python)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func everyToolAnswersWithTheCLIsNumbers() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TraceBinary.run(["run", "--requests", "60", "--error-rate", "0.2", "--db", "m.db"], in: directory).status == 0)
        let stats = try object(try TraceBinary.run(["stats", "--db", "m.db", "--json"], in: directory).stdout)
        let errorsListed = try #require(try JSONSerialization.jsonObject(with: Data(try TraceBinary.run(["list", "{ status = error }", "--json", "--limit", "100", "--db", "m.db"], in: directory).stdout.utf8)) as? [[String: Any]])
        let slowest = try #require(try JSONSerialization.jsonObject(with: Data(try TraceBinary.run(["list", "--sort", "duration", "--limit", "1", "--json", "--db", "m.db"], in: directory).stdout.utf8)) as? [[String: Any]])
        let slowestID = try #require(slowest.first?["traceId"] as? String)

        let first = try session([
            ("list_services", [:]),
            ("operation_stats", ["limit": 100]),
            ("search_traces", ["query": "{ status = error }", "limit": 100]),
            ("search_traces", [:]),
            ("trace_summary", ["trace_id": String(slowestID.prefix(12)), "limit": 200]),
            ("service_map", [:]),
            ("search_traces", ["query": "{ status = }"]),
            ("trace_summary", ["trace_id": "ffffffff"]),
            ("search_traces", ["min_duration": "soon"]),
        ], db: "m.db", in: directory)
        let tools = try #require(first["tools"] as? [String: Any])
        #expect(Set(tools.keys) == ["list_services", "operation_stats", "search_traces", "trace_summary", "span_details", "compare", "service_map"])
        #expect(((tools["trace_summary"] as? [String: Any])?["required"] as? [String]) == ["trace_id"])
        #expect(first["resources"] as? [String] == ["trace://guide"] && (first["guide"] as? String)?.contains("operation_stats") == true)
        let results = try #require(first["results"] as? [[String: Any]])
        func text(_ index: Int) -> String { results[index]["text"] as? String ?? "" }
        func failed(_ index: Int) -> Bool { results[index]["isError"] as? Bool ?? false }
        #expect(results.prefix(6).allSatisfy { $0["isError"] as? Bool == false })

        let services = try object(text(0))
        #expect(services["traces"] as? Int == 60)
        #expect((services["services"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["frontend", "backend"])

        // The same operations, with the same numbers, as `trace stats --json` (and each one's error rate).
        let operations = try object(text(1))
        let withoutRates = (operations["operations"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "errorRate" } }
        #expect(NSDictionary(dictionary: ["o": withoutRates]).isEqual(to: ["o": stats["operations"] ?? []]))
        #expect((operations["operations"] as? [[String: Any]])?.allSatisfy { row in
            abs((row["errorRate"] as? Double ?? -1) - Double(row["errors"] as? Int ?? 0) / Double(row["count"] as? Int ?? 1)) < 0.001 } == true)
        #expect(operations["traces"] as? Int == stats["traces"] as? Int && operations["moreOperations"] as? Int == 0)

        // The same error traces as `trace list '{ status = error }'`.
        let errors = try object(text(2))
        #expect((errors["traces"] as? [[String: Any]])?.compactMap { $0["traceId"] as? String } == errorsListed.compactMap { $0["traceId"] as? String })
        let newest = try object(text(3))
        #expect((newest["traces"] as? [Any])?.count == 10 && newest["total"] as? Int == 60 && newest["more"] as? Int == 50, "ten by default, and how many more")
        #expect(errors["total"] as? Int == errorsListed.count && errors["more"] as? Int == 0)
        #expect(text(3).utf8.count < 10_000)

        // One trace: its critical path adds up to its duration, along the services of `trace show`.
        let summary = try object(text(4))
        #expect(summary["traceId"] as? String == slowestID)
        let path = try #require(summary["criticalPath"] as? [[String: Any]])
        let total = path.compactMap { $0["ms"] as? Double }.reduce(0, +)
        #expect(abs(total - (summary["durationMs"] as? Double ?? 0)) < 0.001 * Double(path.count + 1))
        let shown = try TraceBinary.run(["show", slowestID, "--critical-path", "--db", "m.db"], in: directory).stdout
        for bucket in (summary["whereTheTimeWent"] as? [[String: Any]] ?? []) { #expect(shown.contains(bucket["bucket"] as? String ?? "?")) }
        let map = try object(text(5))
        #expect((map["calls"] as? [[String: Any]])?.first?["calls"] as? Int == 60)

        // Mistakes come back as tool errors, in the CLI's words, and the server goes on.
        #expect(failed(6) && text(6).contains("query, column 12: expected a value") && text(6).contains("^"))
        #expect(failed(7) && text(7).hasPrefix("no trace ffffffff in "))
        #expect(failed(8) && text(8).hasPrefix("min_duration: a duration such as 250ms"))

        // Down to one span on that path: its attributes and log records; and the trace against the median, as `trace diff` says it.
        let onPath = try #require(path.first { $0["spanId"] != nil }?["spanId"] as? String)
        let second = try #require(try session([("span_details", ["trace_id": slowestID, "span_id": onPath]), ("compare", ["trace_id": slowestID]),
                                               ("operation_stats", ["query": "{ status = error } | by(resource.service.name)"])],
                                              db: "m.db", in: directory)["results"] as? [[String: Any]])
        let span = try object(try #require(second.first?["text"] as? String))
        #expect(span["spanId"] as? String == onPath && span["attributes"] is [String: Any] && span["logs"] is [Any])
        let compared = try object(try #require(second[1]["text"] as? String))
        // By a field, as `trace stats --query '... | by(field)' --json` groups the matched spans.
        let byField = try object(try #require(second[2]["text"] as? String))
        let statsByField = try object(try TraceBinary.run(["stats", "--query", "{ status = error } | by(resource.service.name)", "--json", "--db", "m.db"], in: directory).stdout)
        #expect(byField["matchedSpansBy"] != nil && NSDictionary(dictionary: ["g": byField["matchedSpansBy"] ?? 0]).isEqual(to: ["g": statsByField["matchedSpansBy"] ?? 1]))
        let verdict = try TraceBinary.run(["diff", "--against", "median", slowestID, "--db", "m.db"], in: directory).stdout
            .components(separatedBy: "Verdict").last?.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ") ?? ""
        let explained = try #require(compared["explainedBy"] as? [[String: Any]])
        #expect(!explained.isEmpty && compared["medianOf"] as? Int == 60)
        for row in explained {
            // The share is sent to three places and the CLI rounds the unrounded one to whole percent: either neighbour.
            let percent = (row["shareOfDifference"] as? Double ?? 0) * 100
            let printed = [percent.rounded(.down), percent.rounded(.up)].map { "\(Int($0))%" }
            #expect(printed.contains { verdict.contains($0) } && verdict.contains("`\(row["name"] as? String ?? "?")`"), "\(row) in: \(verdict)")
        }
    }
}
