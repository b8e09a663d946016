import CompressNIO
import Foundation
import NIOCore
@testable import OTLP
import Testing
import TraceFixtures
import TraceIngest
import TraceModel
import TraceStore
import TraceViews

/// The whole ingest path (gzip, the protobuf and JSON decoders, mapping, the store) and the views
/// on what it stored, under bodies a hostile sender could send: the regressions of issue 9 as
/// corpus entries with their known outcome, then seeded mutations of the corpus. A request is
/// stored whole or refused whole with an `IngestError`, and whatever is stored can be shown.
@Suite struct IngestFuzzTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzCorpus")
    static let limit = 2 << 20

    struct Entry {
        var name: String
        var body: Data
        var contentType: OTLPContentType { name.contains(".json") ? .json : .protobuf }
        var gzipped: Bool { name.hasSuffix(".gz") }
    }

    static func entries() throws -> [Entry] {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        var entries = try files.map { Entry(name: $0, body: try Data(contentsOf: corpus.appendingPathComponent($0))) }
        // The demo request in the other encodings too, as seeds for mutation.
        let demo = try OTLPJSON.decodeRequest(try Data(contentsOf: corpus.appendingPathComponent("demo.json"))).serializedData()
        var buffer = ByteBuffer(data: demo)
        entries.append(Entry(name: "demo.pb", body: demo))
        entries.append(Entry(name: "demo.pb.gz", body: Data(buffer: try buffer.compress(with: .gzip()))))
        return entries
    }

    /// Ingests one body into `store`; checks the request's valid spans were stored (or, refused, none), and
    /// that every trace it touched can be laid out, walked and exported again.
    @discardableResult
    static func ingest(_ entry: Entry, into store: TraceStore, ingestor: Ingestor) async throws -> Result<IngestOutcome, IngestError> {
        let before = try store.totals()
        do {
            let outcome = try await ingestor.ingest(.encoded(.traces, body: ByteBuffer(data: entry.body), contentType: entry.contentType, gzipped: entry.gzipped))
            #expect(try store.totals().spans == before.spans + outcome.inserted, "\(entry.name)")
            for summary in try store.traces(matching: TraceQuery(limit: 5)) {
                let trace = try #require(try store.trace(summary.traceID))
                #expect(WaterfallLayout(trace: trace).rows.count == trace.spans.count, "\(entry.name): every stored span is shown")
                _ = CriticalPath(trace: trace)
                _ = LatencyBreakdown(trace: trace)
                let exported = try OTLPJSON.decodeRequest(try OTLPJSON.encode(ExportTraceServiceRequest(spans: trace.spans)))
                #expect(Set(try exported.spans()) == Set(trace.spans), "\(entry.name): export reads back the same")
            }
            return .success(outcome)
        } catch let error as IngestError {
            #expect(try store.totals() == before, "\(entry.name): a refused request stores nothing")
            return .failure(error)
        }
    }

    @Test func theRegressionsOfIssue9HaveTheirKnownOutcome() async throws {
        let entries = Dictionary(uniqueKeysWithValues: try Self.entries().map { ($0.name, $0) })
        let expected: [String: Result<Int, IngestError>] = [
            "demo.json": .success(2),
            "nul-in-text.json": .success(1),
            "parent-cycle.json": .success(2),
            "deep-chain.json.gz": .success(7_000),
            "truncated-stream.json.gz": .failure(.badRequest("gzip body is truncated: the stream stops before its end")),
            "trailing-bytes.json.gz": .failure(.badRequest("gzip body has 7 bytes after the end of the stream")),
            "zeros-past-limit.pb.gz": .failure(.tooLarge(limit: Self.limit)),
        ]
        for (name, outcome) in expected {
            let store = try TraceStore.inMemory()
            let entry = try #require(entries[name], "corpus entry \(name)")
            let result = try await Self.ingest(entry, into: store, ingestor: Ingestor(store: store, maxBodyBytes: Self.limit))
            #expect(result.map(\.inserted) == outcome, "\(name)")
        }
        let store = try TraceStore.inMemory()
        try await Self.ingest(entries["nul-in-text.json"]!, into: store, ingestor: Ingestor(store: store))
        let span = try #require(try store.trace(TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!)?.spans.first)
        #expect(span.name == "a\u{0}b" && span.serviceName == "svc\u{0}x" && span.status.message == "m\u{0}n")
    }

    @Test func mutatedBodiesStoreTheirValidSpansOrNothing() async throws {
        let seeds = try Self.entries().filter { $0.body.count < 10_000 }
        var random = SeededRandom(seed: 9)
        let store = try TraceStore.inMemory()
        let ingestor = Ingestor(store: store, maxBodyBytes: Self.limit)
        var outcomes = (stored: 0, refused: 0)
        for _ in 0..<3_000 {
            var entry = seeds.randomElement(using: &random)!
            entry.body = Self.mutate(entry.body, with: seeds.randomElement(using: &random)!.body, random: &random)
            switch try await Self.ingest(entry, into: store, ingestor: ingestor) {
            case .success: outcomes.stored += 1
            case .failure: outcomes.refused += 1
            }
        }
        // Both kinds of outcome were exercised, or the mutations are too gentle or too rough.
        #expect(outcomes.stored > 100 && outcomes.refused > 100, "stored \(outcomes.stored), refused \(outcomes.refused)")
    }

    /// One byte-level edit half the time, else two to four: flips, inserted bytes, deletions, truncation, a spliced
    /// piece of another seed, a repeated run.
    static func mutate(_ body: Data, with other: Data, random: inout SeededRandom) -> Data {
        var bytes = [UInt8](body)
        for _ in 0..<(Bool.random(using: &random) ? 1 : Int.random(in: 2...4, using: &random)) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2 where !bytes.isEmpty: bytes.remove(at: at)
            case 3: bytes = Array(bytes.prefix(at))
            case 4 where !other.isEmpty:
                let start = Int.random(in: 0..<other.count, using: &random)
                bytes.insert(contentsOf: other[other.startIndex + start..<other.startIndex + min(other.count, start + 32)], at: at)
            case 5 where at + 8 <= bytes.count: bytes.insert(contentsOf: bytes[at..<at + 8], at: at)
            case 6 where !bytes.isEmpty: bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x5C].randomElement(using: &random)!
            default: break
            }
        }
        return Data(bytes)
    }
}
