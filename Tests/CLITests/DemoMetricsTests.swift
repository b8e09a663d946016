import Foundation
import Testing
import TraceFixtures

/// The demo measures itself, as the article's next chapter does: each service its requests'
/// count and duration, the frontend its calls to the backend, by status; with the builtin
/// tracer each duration bucket keeps a trace it counted.
@Suite struct DemoMetricsTests {
    /// Each series' newest point of a metric, as `trace metrics NAME --json` prints it.
    func newestPoints(_ name: String, in directory: URL) throws -> [(service: String, attributes: [String: Any], point: [String: Any])] {
        let json = try TraceBinary.run(["metrics", name, "--db", "metrics.db", "--json"], in: directory)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let series = try #require(object["series"] as? [[String: Any]])
        return try series.map { series in
            let resource = try #require(series["resource"] as? [String: Any])
            let point = try #require((series["points"] as? [[String: Any]])?.last)
            return (resource["service.name"] as? String ?? "", series["attributes"] as? [String: Any] ?? [:], point)
        }
    }

    @Test(arguments: ["builtin", "swift-otel"])
    func everyRequestIsCountedAndTimedByStatus(tracer: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TraceBinary.run(["run", "--requests", "40", "--concurrency", "4", "--error-rate", "0.25", "--tracer", tracer, "--db", "metrics.db"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let failed = Int(try sqlite(directory.appendingPathComponent("metrics.db").path, "SELECT count(*) FROM trace WHERE error_count > 0")) ?? -1

        let server = try newestPoints("http.server.request.duration", in: directory)
        for service in ["frontend", "backend"] {
            // swift-otel sends every dimension as text; the builtin backend a status code as an integer, as the conventions say.
            let counts = server.filter { $0.service == service }.map { series in
                let status = series.attributes["http.response.status_code"]
                return ((status as? Int) ?? Int(status as? String ?? "") ?? 0, series.point["count"] as? Int ?? 0)
            }
            #expect(counts.reduce(0) { $0 + $1.1 } == 40, "\(service): every request timed once")
            let failures = counts.filter { $0.0 >= 500 }.reduce(0) { $0 + $1.1 }
            #expect(failures == failed, "\(service): the failed requests under their 5xx status")
        }
        let requests = try newestPoints("http.server.requests", in: directory)
        #expect(requests.reduce(0) { $0 + ($1.point["value"] as? Int ?? 0) } == 80)
        let client = try newestPoints("http.client.request.duration", in: directory)
        #expect(client.allSatisfy { $0.service == "frontend" } && client.reduce(0) { $0 + ($1.point["count"] as? Int ?? 0) } == 40)

        let table = try TraceBinary.run(["metrics", "--db", "metrics.db", "--width", "150"], in: directory)
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("http.server.requests") && $0.contains("counter") && $0.contains("  80  ") })

        guard tracer == "builtin" else { return }
        // swift-otel 1.6 keeps no exemplars; the builtin backend keeps one a bucket, each a stored trace.
        let exemplars = (server + client).flatMap { ($0.point["exemplars"] as? [[String: Any]]) ?? [] }.compactMap { $0["traceId"] as? String }
        #expect(!exemplars.isEmpty)
        let stored = Set(try sqlite(directory.appendingPathComponent("metrics.db").path, "SELECT trace_id FROM trace").split(separator: "\n").map(String.init))
        #expect(exemplars.allSatisfy(stored.contains), "every exemplar leads to a stored trace")
    }

    @Test func noMetricsMeansNone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TraceBinary.run(["run", "--requests", "5", "--no-metrics", "--db", "metrics.db"], in: directory).status == 0)
        let listed = try TraceBinary.run(["metrics", "--db", "metrics.db"], in: directory)
        #expect(listed.status == 0 && listed.stdout.isEmpty && listed.stderr.hasPrefix("no metrics in metrics.db"))
    }
}
