import Foundation
import Testing
import TraceFixtures
import TraceModel
@testable import TraceStore

/// v2 keeps attributes, events and links as compact JSON: every value must come back as it went in.
@Suite struct CompactJSONTests {
    static func text(_ random: inout SeededRandom) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "😀", "{", "}", "[", ":", ","]
        return String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
    }

    static func value(_ random: inout SeededRandom, depth: Int = 0) -> AttributeValue {
        switch Int.random(in: 0..<(depth < 3 ? 9 : 7), using: &random) {
        case 0: return .string(text(&random))
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int([Int64.min, Int64.max, 0, -1, Int64.random(in: .min ... .max, using: &random)].randomElement(using: &random)!)
        case 3:
            // Any finite bit pattern, plus the awkward ones; NaN is checked on its own (NaN != NaN).
            let double = [Double(bitPattern: random.next()), 1.0, -0.0, 5e-324, 1e300, .infinity, -.infinity, 0.1].randomElement(using: &random)!
            return .double(double.isNaN ? 0.5 : double)
        case 4: return .bytes((0..<Int.random(in: 0...9, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 5: return .empty
        case 6: return .string("")
        case 7: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(&random, depth: depth + 1) })
        default: return .keyValueList((0..<Int.random(in: 0...4, using: &random)).map { _ in Attribute(text(&random), value(&random, depth: depth + 1)) })
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomValuesRoundTripThroughTheStore(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let store = try TraceStore.inMemory()
        let start: UInt64 = 1_700_000_000_000_000_000
        let spans = (1...60).map { index -> Span in
            let attributes = (0..<Int.random(in: 0...6, using: &random)).map { _ in Attribute(Self.text(&random), Self.value(&random)) }
            let events = (0..<Int.random(in: 0...2, using: &random)).map { _ in
                SpanEvent(timeUnixNano: start &+ UInt64.random(in: 0...2_000_000_000, using: &random) &- 1_000_000_000, name: Self.text(&random),
                          attributes: [Attribute(Self.text(&random), Self.value(&random))], droppedAttributesCount: UInt32.random(in: 0...2, using: &random))
            }
            let links = (0..<Int.random(in: 0...1, using: &random)).map { _ in
                SpanLink(traceID: TraceID(high: random.next(), low: random.next()), spanID: SpanID(random.next()), traceState: Self.text(&random),
                         attributes: [Attribute("k", Self.value(&random))], droppedAttributesCount: 1, flags: UInt32.random(in: 0...UInt32.max, using: &random))
            }
            return Span(traceID: TraceID(high: seed, low: UInt64(index % 7 + 1)), spanID: SpanID(UInt64(index)), name: Self.text(&random),
                        startTimeUnixNano: start, endTimeUnixNano: start + UInt64(index), attributes: attributes,
                        droppedAttributesCount: UInt32(index), events: events, links: links,
                        status: SpanStatus(code: .error, message: Self.text(&random)), resource: frontendResource, scope: scope)
        }
        // In several batches: later ones mix keys already committed (encoded before the write) with new ones.
        for chunk in stride(from: 0, to: spans.count, by: 7) { try store.insert(Array(spans[chunk..<min(chunk + 7, spans.count)])) }
        let read = try store.traces(withIDs: (1...7).map { TraceID(high: seed, low: UInt64($0)) }).flatMap(\.spans)
        #expect(Dictionary(uniqueKeysWithValues: read.map { ($0.spanID, $0) }) == Dictionary(uniqueKeysWithValues: spans.map { ($0.spanID, $0) }))
    }

    /// A read that decodes only some attribute keys (a search) skips the others' values, whatever
    /// they hold, and keeps exactly what a full read keeps of those keys.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func readingSomeKeysSkipsTheRestExactly(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let store = try TraceStore.inMemory()
        let keys = (0..<8).map { "key\($0)" }
        let spans = (1...80).map { index -> Span in
            let attributes = (0..<Int.random(in: 0...6, using: &random)).map { _ in Attribute(keys.randomElement(using: &random)!, Self.value(&random)) }
            return Span(traceID: TraceID(high: seed, low: 1), spanID: SpanID(UInt64(index)), name: "s", startTimeUnixNano: 1, endTimeUnixNano: 2,
                        attributes: attributes, resource: frontendResource, scope: scope)
        }
        try store.insert(spans)
        for wanted in [Set<String>(), ["key0"], ["key1", "key5"], Set(keys)] {
            var read: [Span] = []
            try store.forEachStoredTrace(matching: TraceQuery(), details: SpanDetails(attributeKeys: wanted, events: false, links: false)) { read += $1.spans }
            let byID = Dictionary(uniqueKeysWithValues: read.map { ($0.spanID, $0.attributes) })
            for span in spans {
                #expect(byID[span.spanID] == span.attributes.filter { wanted.contains($0.key) }, "\(wanted)")
            }
        }
    }

    @Test func notANumberIsKeptAsSuch() throws {
        let store = try TraceStore.inMemory()
        let span = Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), name: "n", startTimeUnixNano: 1, endTimeUnixNano: 2,
                        attributes: [Attribute("nan", .double(.nan)), Attribute("list", .array([.double(.nan)]))])
        try store.insert([span])
        let attributes = try #require(try store.trace(span.traceID)?.spans.first?.attributes)
        #expect(attributes.map(\.key) == ["nan", "list"])
        guard case .double(let value) = attributes[0].value, case .array(let list) = attributes[1].value, case .double(let inner) = list.first else {
            Issue.record("values changed type: \(attributes)")
            return
        }
        #expect(value.isNaN && inner.isNaN)
    }

    @Test func malformedTextIsAnErrorNotACrash() {
        for text in ["", "{", "{\"1\":}", "[1,", "\"abc", "{\"1\":1}x", "tru", "-", String(repeating: "[", count: 10_000)] {
            #expect(throws: CompactJSONError.self) { try CompactJSON.Parser.parse(text) }
        }
    }
}
