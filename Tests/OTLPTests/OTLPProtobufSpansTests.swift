import Foundation
@testable import OTLP
import SwiftProtobuf
import Testing
import TraceFixtures
import TraceModel

/// `collect` reads protobuf bodies straight into spans (`OTLPProtobufSpans`); SwiftProtobuf's
/// messages and the mapping (`decodedSpans()`) are the reference it must agree with, span for
/// span and error for error, whatever the body.
@Suite struct OTLPProtobufSpansTests {
    /// Both ways agree: both refuse the body, or both give the same spans and rejections. With
    /// `direct`, the body must also have been read without falling back to SwiftProtobuf.
    static func expectAgreement(_ body: Data, direct: Bool = true, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = Result { try ExportTraceServiceRequest(serializedBytes: body).decodedSpans() }
        let read = Result { try OTLPProtobufSpans.decodedSpans(from: body) }
        switch (reference, read) {
        case (.success(let expected), .success(let actual)):
            #expect(actual.spans == expected.spans, "\(label): spans", sourceLocation: sourceLocation)
            #expect(actual.rejected == expected.rejected, "\(label): rejections", sourceLocation: sourceLocation)
        case (.failure, .failure): break
        case (.success, .failure): Issue.record("\(label): refused a body SwiftProtobuf reads", sourceLocation: sourceLocation)
        case (.failure, .success): Issue.record("\(label): read a body SwiftProtobuf refuses", sourceLocation: sourceLocation)
        }
        if direct { #expect(OTLPProtobufSpans.decodedDirectly(body) != nil, "\(label): read directly", sourceLocation: sourceLocation) }
    }

    static func body(_ spans: [Span]) throws -> Data { try ExportTraceServiceRequest(spans: spans).serializedData() }

    // MARK: Hand-made wire bytes

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, bytes: [UInt8] = []
        while value >= 0x80 { bytes.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
        return bytes + [UInt8(value)]
    }

    static func field(_ number: UInt64, wireType: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | wireType) + (wireType == 2 ? varint(UInt64(payload.count)) : []) + payload
    }

    static func message(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] { field(number, wireType: 2, payload) }

    /// Fields no OTLP message defines, of each wire type a skipper must step over.
    static let unknownFields = field(900, wireType: 0, varint(300)) + field(901, wireType: 1, Array(repeating: 7, count: 8))
        + field(902, wireType: 5, [1, 2, 3, 4]) + message(903, Array("ignored".utf8))

    // MARK: Tests

    @Test func everyFieldOfEveryMessageReadsAsSwiftProtobufReadsIt() throws {
        Self.expectAgreement(try Self.body(sampleTrace(id: 1) + sampleTrace(id: 2, error: true)), "sample traces")
        var request = ExportTraceServiceRequest(spans: sampleTrace(id: 3))
        request.resourceSpans[0].scopeSpans[0].spans[0].kind = .UNRECOGNIZED(42)
        request.resourceSpans[0].scopeSpans[0].spans[1].status.code = .UNRECOGNIZED(7)
        request.resourceSpans[0].scopeSpans[0].spans[1].droppedLinksCount = 3
        request.resourceSpans[0].resource.droppedAttributesCount = 4
        request.resourceSpans[0].scopeSpans[0].scope.droppedAttributesCount = 5
        request.resourceSpans[0].scopeSpans[0].schemaURL = "https://example.com/scope"
        Self.expectAgreement(try request.serializedData(), "unknown enum values, dropped counts, schema URLs")
        Self.expectAgreement(Data(), "an empty request")
    }

    @Test func unknownFieldsAreSkippedAtEveryLevelAndTheResourceMayComeLast() throws {
        let span = try sampleTrace(id: 4)[1].proto.serializedBytes() as [UInt8]
        let scope = Self.message(2, span + Self.unknownFields) + Self.message(1, Array(try Self.scopeProto().serializedBytes() as [UInt8]) + Self.unknownFields)
        let resource = Array(try Self.frontendResourceProto().serializedBytes() as [UInt8]) + Self.unknownFields
        let resourceSpans = Self.message(2, scope + Self.unknownFields) + Self.message(1, resource) + Self.message(3, Array("https://s".utf8))
        Self.expectAgreement(Data(Self.message(1, resourceSpans) + Self.unknownFields), "unknown fields, resource after its scopes")
    }

    @Test func malformedIdsAreRejectedSpanBySpanWithTheSameWords() throws {
        var request = ExportTraceServiceRequest(spans: sampleTrace(id: 5) + sampleTrace(id: 6))
        request.resourceSpans[0].scopeSpans[0].spans[0].traceID = Data(count: 15)
        request.resourceSpans[0].scopeSpans[0].spans[1].spanID = Data(count: 8)
        request.resourceSpans[0].scopeSpans[0].spans[2].parentSpanID = Data([1, 2, 3])
        request.resourceSpans[0].scopeSpans[0].spans[3].links[0].spanID = Data([9])
        // An all-zero parent means none: not an error.
        request.resourceSpans[1].scopeSpans[0].spans[0].parentSpanID = Data(count: 8)
        Self.expectAgreement(try request.serializedData(), "bad ids")
        #expect(try OTLPProtobufSpans.decodedSpans(from: request.serializedData()).rejected.count == 4)
    }

    @Test func encodingsThatMergeAreLeftToSwiftProtobuf() throws {
        let span = Array(try sampleTrace(id: 7)[2].proto.serializedBytes() as [UInt8])
        // A second status merges into the first; a second value of an attribute likewise.
        let twoStatuses = span + Self.message(15, Self.message(2, Array("second".utf8)))
        let twoValues = Self.message(1, Array("k".utf8)) + Self.message(2, Self.field(3, wireType: 0, Self.varint(1)))
            + Self.message(2, Self.message(1, Array("s".utf8)))
        for (label, spanBytes) in [("status twice", twoStatuses), ("value twice", span + Self.message(9, twoValues))] {
            let body = Data(Self.message(1, Self.message(2, Self.message(2, spanBytes))))
            Self.expectAgreement(body, direct: false, label)
            #expect(OTLPProtobufSpans.decodedDirectly(body) == nil, "\(label) falls back")
        }
        // A string repeated is last-wins, which the direct reader does itself.
        Self.expectAgreement(Data(Self.message(1, Self.message(2, Self.message(2, span + Self.message(5, Array("renamed".utf8)))))), "name twice")
    }

    @Test func randomRequestsReadTheSame() throws {
        var random = SeededRandom(seed: 20261130)
        for round in 0..<300 {
            let spans = (0..<Int.random(in: 1...12, using: &random)).map { _ in Self.randomSpan(&random) }
            Self.expectAgreement(try Self.body(spans), "random request \(round)")
        }
    }

    @Test func mutatedBodiesAreReadOrRefusedAsSwiftProtobufDoes() throws {
        var random = SeededRandom(seed: 9)
        let seeds = try [Self.body(sampleTrace(id: 8, error: true)), Self.body((0..<6).map { _ in Self.randomSpan(&random) })]
        for round in 0..<3_000 {
            Self.expectAgreement(Self.mutated(seeds[round % seeds.count], &random), direct: false, "mutation \(round)")
        }
    }

    // MARK: Generators

    /// One to three random changes: a byte replaced or flipped, removed, or the rest cut off.
    static func mutated(_ body: Data, _ random: inout SeededRandom) -> Data {
        var bytes = Array(body)
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
            case 2: bytes.remove(at: at)
            default: bytes.removeSubrange(at...)
            }
        }
        return Data(bytes)
    }

    static func scopeProto() -> Opentelemetry_Proto_Common_V1_InstrumentationScope {
        .with { $0.name = scope.name; $0.version = scope.version; $0.attributes = scope.attributes.map(\.proto) }
    }

    static func frontendResourceProto() -> Opentelemetry_Proto_Resource_V1_Resource {
        .with { $0.attributes = frontendResource.attributes.map(\.proto) }
    }

    static func randomText(_ random: inout SeededRandom) -> String {
        let pieces = ["a", "é", "日本", "🚀", "\u{0}", " ", "key", "service.name", "x"]
        return (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func randomValue(_ random: inout SeededRandom, depth: Int = 0) -> AttributeValue {
        switch Int.random(in: 0..<(depth < 2 ? 8 : 6), using: &random) {
        case 0: .string(randomText(&random))
        case 1: .bool(Bool.random(using: &random))
        case 2: .int(Int64(bitPattern: random.next()))
        case 3: .double(Double(Int64.random(in: -1_000_000...1_000_000, using: &random)) / 7)
        case 4: .bytes((0..<Int.random(in: 0...5, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 5: .empty
        case 6: .array((0..<Int.random(in: 0...3, using: &random)).map { _ in randomValue(&random, depth: depth + 1) })
        default: .keyValueList(randomAttributes(&random, depth: depth + 1))
        }
    }

    static func randomAttributes(_ random: inout SeededRandom, depth: Int = 0) -> [Attribute] {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in Attribute(randomText(&random), randomValue(&random, depth: depth)) }
    }

    static func randomSpan(_ random: inout SeededRandom) -> Span {
        let start = random.next() >> 2
        let resource = Resource(attributes: [Attribute("service.name", .string(["frontend", "backend", "db"].randomElement(using: &random)!))] + randomAttributes(&random),
                                droppedAttributesCount: UInt32.random(in: 0...2, using: &random), schemaURL: Bool.random(using: &random) ? "https://schema" : "")
        return Span(
            traceID: TraceID(high: random.next() | 1, low: random.next()), spanID: SpanID(random.next() | 1),
            parentSpanID: Bool.random(using: &random) ? SpanID(random.next() | 1) : nil, traceState: Bool.random(using: &random) ? "k=v" : "",
            flags: UInt32.random(in: 0...0x3FF, using: &random), name: randomText(&random),
            kind: SpanKind(rawValue: Int.random(in: 0...5, using: &random))!,
            startTimeUnixNano: start, endTimeUnixNano: start &+ UInt64.random(in: 0...1_000_000_000, using: &random),
            attributes: randomAttributes(&random), droppedAttributesCount: UInt32.random(in: 0...3, using: &random),
            events: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                SpanEvent(timeUnixNano: random.next(), name: randomText(&random), attributes: randomAttributes(&random),
                          droppedAttributesCount: UInt32.random(in: 0...2, using: &random))
            },
            droppedEventsCount: UInt32.random(in: 0...2, using: &random),
            links: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                SpanLink(traceID: TraceID(high: random.next(), low: random.next()), spanID: SpanID(random.next()), traceState: randomText(&random),
                         attributes: randomAttributes(&random), droppedAttributesCount: UInt32.random(in: 0...2, using: &random),
                         flags: UInt32.random(in: 0...3, using: &random))
            },
            droppedLinksCount: UInt32.random(in: 0...2, using: &random),
            status: SpanStatus(code: SpanStatus.Code(rawValue: Int.random(in: 0...2, using: &random))!, message: randomText(&random)),
            resource: resource,
            scope: InstrumentationScope(name: randomText(&random), version: Bool.random(using: &random) ? "1.0" : "",
                                        attributes: randomAttributes(&random), droppedAttributesCount: UInt32.random(in: 0...1, using: &random)))
    }
}
