import Foundation
import Testing
import TraceFixtures

/// A file written by the v1 release (`Fixtures/v1.db`: `every-field.json` imported, then a
/// 3-request `trace run`) is converted on first open and reads back exactly as v1 exported it.
@Suite struct SchemaUpgradeTests {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func copyOfV1Database(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("old.db").path
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v1.db").path, toPath: path)
        return path
    }

    @Test func aV1FileOpensConvertedAndExportsExactlyWhatV1Exported() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try copyOfV1Database(in: directory)
        #expect(try sqlite(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier") == "v1")

        // A read-only command converts the file before reading it.
        let list = try TraceBinary.run(["list", "--db", path], in: directory)
        #expect(list.status == 0)
        #expect(list.stdout.contains("0af7651916cd43dd8448eb211c80319c"))
        #expect(try sqlite(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier") == "v1\nv2\nv3\nv4\nv5\nv6\nv7\nv8")

        let export = try TraceBinary.run(["export", "--db", path, "--output", "now.jsonl"], in: directory)
        #expect(export.status == 0)
        let now = try String(contentsOf: directory.appendingPathComponent("now.jsonl"), encoding: .utf8)
        let then = try String(contentsOf: fixtures.appendingPathComponent("v1-export.jsonl"), encoding: .utf8)
        #expect(now == then)
        // The v1 names still answer plain SQL, now as views over the v2 tables.
        #expect(try sqlite(path, "SELECT count(*) FROM span") == "22")
        #expect(try sqlite(path, "SELECT sum(span_count) FROM trace") == "22")
        #expect(try sqlite(path, "SELECT traces || ' ' || spans FROM store_totals") == "4 22")
        #expect(try sqlite(path, "SELECT value FROM span_attribute WHERE key = 'i'") == "9223372036854775807")
    }

    @Test func everyFieldSurvivesImportIntoANewFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let imported = try TraceBinary.run(["import", fixtures.appendingPathComponent("every-field.json").path, "--db", "new.db"], in: directory)
        #expect(imported.status == 0)
        let export = try TraceBinary.run(["export", "--db", "new.db", "--output", "now.jsonl"], in: directory)
        #expect(export.status == 0)
        let now = try String(contentsOf: directory.appendingPathComponent("now.jsonl"), encoding: .utf8)
        let then = try String(contentsOf: fixtures.appendingPathComponent("v1-export.jsonl"), encoding: .utf8)
        // v1 exported traces newest first; the imported one is the oldest, so it is v1's last line.
        #expect(now.split(separator: "\n").last == then.split(separator: "\n").last)
    }
}
