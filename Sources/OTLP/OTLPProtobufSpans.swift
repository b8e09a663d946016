import Foundation
import TraceModel

/// An OTLP/protobuf trace request read straight into model spans, without building SwiftProtobuf
/// messages first (they cost a third of `collect`'s processor time: a heap object per span,
/// copied out and freed again). It takes the encoding every SDK writes; anything else (a
/// field repeated where it would merge, an unexpected wire type, a group, bad UTF-8, nesting
/// past SwiftProtobuf's limit) is left to SwiftProtobuf, so both give the same spans and errors.
public enum OTLPProtobufSpans {
    /// The request's valid spans and what is wrong with the others, as
    /// `ExportTraceServiceRequest.decodedSpans()` gives them. Throws when the body is not a request.
    public static func decodedSpans(from body: Data) throws -> (spans: [Span], rejected: [OTLPDecodingError]) {
        if let direct = decodedDirectly(body) { return direct }
        return try ExportTraceServiceRequest(serializedBytes: body).decodedSpans()
    }

    /// Nil where the body is not in the encoding this reads, and SwiftProtobuf should decide.
    static func decodedDirectly(_ body: Data) -> (spans: [Span], rejected: [OTLPDecodingError])? {
        body.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            return try? reader.request()
        }
    }
}

/// Thrown where SwiftProtobuf should decide.
private struct NotCanonical: Error {}

private struct WireReader {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int
    private var depth = 0
    /// SwiftProtobuf's default recursion limit: nesting beyond it is its error to report.
    private static let maximumDepth = 100

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        position = 0
        end = bytes.count
    }

    private init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, depth: Int) {
        self.bytes = bytes
        position = start
        self.end = end
        self.depth = depth
    }

    // MARK: Wire format

    private var atEnd: Bool { position >= end }

    private mutating func varint() throws(NotCanonical) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            // A tenth byte carries one bit; more is malformed, for SwiftProtobuf to say so.
            guard shift < 63 || byte <= 1 else { throw NotCanonical() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw NotCanonical()
    }

    private mutating func fixed64() throws(NotCanonical) -> UInt64 {
        guard end - position >= 8 else { throw NotCanonical() }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    private mutating func fixed32() throws(NotCanonical) -> UInt32 {
        guard end - position >= 4 else { throw NotCanonical() }
        let value = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        return value
    }

    /// A field's number and wire type, or nil at the end of the message.
    private mutating func tag() throws(NotCanonical) -> (field: UInt64, wireType: UInt64)? {
        guard !atEnd else { return nil }
        let key = try varint()
        guard (1...536_870_911).contains(key >> 3) else { throw NotCanonical() }
        return (key >> 3, key & 7)
    }

    private mutating func lengthDelimited() throws(NotCanonical) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw NotCanonical() }
        let range = position ..< position + Int(length)
        position = range.upperBound
        return range
    }

    /// A field this decoder does not use: skipped as SwiftProtobuf keeps it aside.
    private mutating func skip(_ wireType: UInt64) throws(NotCanonical) {
        switch wireType {
        case 0: _ = try varint()
        case 1: _ = try fixed64()
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw NotCanonical()
        }
    }

    private mutating func expect(_ wireType: UInt64, _ actual: UInt64) throws(NotCanonical) {
        guard wireType == actual else { throw NotCanonical() }
    }

    private mutating func string(_ wireType: UInt64) throws(NotCanonical) -> String {
        try expect(2, wireType)
        let range = try lengthDelimited()
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else { throw NotCanonical() }
        return text
    }

    private mutating func bytesField(_ wireType: UInt64) throws(NotCanonical) -> UnsafeRawBufferPointer {
        try expect(2, wireType)
        return UnsafeRawBufferPointer(rebasing: bytes[try lengthDelimited()])
    }

    private mutating func uint32(_ wireType: UInt64) throws(NotCanonical) -> UInt32 {
        try expect(0, wireType)
        return UInt32(truncatingIfNeeded: try varint())
    }

    /// An enum as SwiftProtobuf reads it: an int32, unknown values kept by number.
    private mutating func enumValue(_ wireType: UInt64) throws(NotCanonical) -> Int {
        try expect(0, wireType)
        return Int(Int32(truncatingIfNeeded: try varint()))
    }

    /// A nested message's reader; a message field seen twice would merge, which is left to SwiftProtobuf.
    private mutating func message(_ wireType: UInt64, seen: inout Bool) throws(NotCanonical) -> WireReader {
        try expect(2, wireType)
        guard !seen, depth + 1 < Self.maximumDepth else { throw NotCanonical() }
        seen = true
        let range = try lengthDelimited()
        return WireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth + 1)
    }

    private mutating func repeatedMessage(_ wireType: UInt64) throws(NotCanonical) -> WireReader {
        var fresh = false
        return try message(wireType, seen: &fresh)
    }

    /// One element of a repeated message field, read whole.
    private mutating func element<T>(_ wireType: UInt64, _ read: (inout WireReader) throws(NotCanonical) -> T) throws(NotCanonical) -> T {
        var reader = try repeatedMessage(wireType)
        return try read(&reader)
    }

    // MARK: OTLP messages

    /// `ExportTraceServiceRequest`.
    mutating func request() throws(NotCanonical) -> (spans: [Span], rejected: [OTLPDecodingError]) {
        var spans: [Span] = []
        var rejected: [OTLPDecodingError] = []
        var r = 0
        while let (field, wireType) = try tag() {
            guard field == 1 else { try skip(wireType); continue }
            var resourceSpans = try repeatedMessage(wireType)
            try resourceSpans.resourceSpans(index: r, into: &spans, rejected: &rejected)
            r += 1
        }
        return (spans, rejected)
    }

    /// `ResourceSpans`: the resource and schema URL may follow the spans, so the scopes are read
    /// after them.
    private mutating func resourceSpans(index r: Int, into spans: inout [Span], rejected: inout [OTLPDecodingError]) throws(NotCanonical) {
        var resource = Resource()
        var hasResource = false
        var scopes: [WireReader] = []
        while let (field, wireType) = try tag() {
            switch field {
            case 1:
                var reader = try message(wireType, seen: &hasResource)
                (resource.attributes, resource.droppedAttributesCount) = try reader.resource()
            case 2: scopes.append(try repeatedMessage(wireType))
            case 3: resource.schemaURL = try string(wireType)
            default: try skip(wireType)
            }
        }
        for (s, var scopeSpans) in scopes.enumerated() {
            try scopeSpans.scopeSpans(resource: resource, place: (r, s), into: &spans, rejected: &rejected)
        }
    }

    /// `ScopeSpans`.
    private mutating func scopeSpans(resource: Resource, place: (r: Int, s: Int), into spans: inout [Span], rejected: inout [OTLPDecodingError]) throws(NotCanonical) {
        var scope = InstrumentationScope()
        var hasScope = false
        var spanReaders: [WireReader] = []
        while let (field, wireType) = try tag() {
            switch field {
            case 1:
                var reader = try message(wireType, seen: &hasScope)
                scope = try reader.scope(schemaURL: scope.schemaURL)
            case 2: spanReaders.append(try repeatedMessage(wireType))
            case 3: scope.schemaURL = try string(wireType)
            default: try skip(wireType)
            }
        }
        spans.reserveCapacity(spans.count + spanReaders.count)
        for (index, var reader) in spanReaders.enumerated() {
            switch try reader.span(resource: resource, scope: scope, place: { "resourceSpans[\(place.r)].scopeSpans[\(place.s)].spans[\(index)]" }) {
            case .success(let span): spans.append(span)
            case .failure(let error): rejected.append(error)
            }
        }
    }

    /// `InstrumentationScope`.
    private mutating func scope(schemaURL: String) throws(NotCanonical) -> InstrumentationScope {
        var scope = InstrumentationScope(schemaURL: schemaURL)
        while let (field, wireType) = try tag() {
            switch field {
            case 1: scope.name = try string(wireType)
            case 2: scope.version = try string(wireType)
            case 3: scope.attributes.append(try attribute(wireType))
            case 4: scope.droppedAttributesCount = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        return scope
    }

    /// `Resource`: its attributes and their dropped count.
    private mutating func resource() throws(NotCanonical) -> ([Attribute], UInt32) {
        var attributes: [Attribute] = []
        var dropped: UInt32 = 0
        while let (field, wireType) = try tag() {
            switch field {
            case 1: attributes.append(try attribute(wireType))
            case 2: dropped = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        return (attributes, dropped)
    }

    /// `Span`, its ids checked as `Span(proto:)` checks them (the place is worked out only for
    /// an error message).
    private mutating func span(resource: Resource, scope: InstrumentationScope, place: () -> String) throws(NotCanonical) -> Result<Span, OTLPDecodingError> {
        var traceID = UnsafeRawBufferPointer(start: nil, count: 0)
        var spanID = traceID
        var parentSpanID = traceID
        var traceState = "", name = ""
        var kind = 0
        var start: UInt64 = 0, end: UInt64 = 0
        var attributes: [Attribute] = []
        var droppedAttributes: UInt32 = 0, droppedEvents: UInt32 = 0, droppedLinks: UInt32 = 0
        var events: [SpanEvent] = []
        var links: [(traceID: UnsafeRawBufferPointer, spanID: UnsafeRawBufferPointer, link: SpanLink)] = []
        var status = SpanStatus()
        var hasStatus = false
        var flags: UInt32 = 0
        while let (field, wireType) = try tag() {
            switch field {
            case 1: traceID = try bytesField(wireType)
            case 2: spanID = try bytesField(wireType)
            case 3: traceState = try string(wireType)
            case 4: parentSpanID = try bytesField(wireType)
            case 5: name = try string(wireType)
            case 6: kind = try enumValue(wireType)
            case 7: try expect(1, wireType); start = try fixed64()
            case 8: try expect(1, wireType); end = try fixed64()
            case 9: attributes.append(try attribute(wireType))
            case 10: droppedAttributes = try uint32(wireType)
            case 11: events.append(try element(wireType) { reader throws(NotCanonical) in try reader.event() })
            case 12: droppedEvents = try uint32(wireType)
            case 13: links.append(try element(wireType) { reader throws(NotCanonical) in try reader.link() })
            case 14: droppedLinks = try uint32(wireType)
            case 15:
                var reader = try message(wireType, seen: &hasStatus)
                status = try reader.status()
            case 16: try expect(5, wireType); flags = try fixed32()
            default: try skip(wireType)
            }
        }
        return Result { () throws(OTLPDecodingError) -> Span in
            let ids = try Span.checkedIDs(traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, place: place)
            return Span(
                traceID: ids.traceID, spanID: ids.spanID, parentSpanID: ids.parentSpanID, traceState: traceState, flags: flags,
                name: name, kind: SpanKind(rawValue: kind) ?? .unspecified, startTimeUnixNano: start, endTimeUnixNano: end,
                attributes: attributes, droppedAttributesCount: droppedAttributes, events: events, droppedEventsCount: droppedEvents,
                links: try links.enumerated().map { (index, wire) throws(OTLPDecodingError) in
                    var link = wire.link
                    (link.traceID, link.spanID) = try Span.checkedLinkIDs(traceID: wire.traceID, spanID: wire.spanID, index: index, place: place)
                    return link
                },
                droppedLinksCount: droppedLinks, status: status, resource: resource, scope: scope)
        }
    }

    /// `Span.Event`.
    private mutating func event() throws(NotCanonical) -> SpanEvent {
        var event = SpanEvent(timeUnixNano: 0, name: "")
        while let (field, wireType) = try tag() {
            switch field {
            case 1: try expect(1, wireType); event.timeUnixNano = try fixed64()
            case 2: event.name = try string(wireType)
            case 3: event.attributes.append(try attribute(wireType))
            case 4: event.droppedAttributesCount = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        return event
    }

    /// `Span.Link`, its ids still bytes until they are checked with the span's place.
    private mutating func link() throws(NotCanonical) -> (traceID: UnsafeRawBufferPointer, spanID: UnsafeRawBufferPointer, link: SpanLink) {
        var traceID = UnsafeRawBufferPointer(start: nil, count: 0)
        var spanID = traceID
        var link = SpanLink(traceID: TraceID(high: 0, low: 0), spanID: SpanID(0))
        while let (field, wireType) = try tag() {
            switch field {
            case 1: traceID = try bytesField(wireType)
            case 2: spanID = try bytesField(wireType)
            case 3: link.traceState = try string(wireType)
            case 4: link.attributes.append(try attribute(wireType))
            case 5: link.droppedAttributesCount = try uint32(wireType)
            case 6: try expect(5, wireType); link.flags = try fixed32()
            default: try skip(wireType)
            }
        }
        return (traceID, spanID, link)
    }

    /// `Status`.
    private mutating func status() throws(NotCanonical) -> SpanStatus {
        var status = SpanStatus()
        while let (field, wireType) = try tag() {
            switch field {
            case 2: status.message = try string(wireType)
            case 3: status.code = SpanStatus.Code(rawValue: try enumValue(wireType)) ?? .unset
            default: try skip(wireType)
            }
        }
        return status
    }

    /// One `KeyValue` of a repeated attributes field.
    private mutating func attribute(_ wireType: UInt64) throws(NotCanonical) -> Attribute {
        try element(wireType) { reader throws(NotCanonical) in try reader.attribute() }
    }

    /// `KeyValue`.
    private mutating func attribute() throws(NotCanonical) -> Attribute {
        var key = ""
        var value = AttributeValue.empty
        var hasValue = false
        while let (field, wireType) = try tag() {
            switch field {
            case 1: key = try string(wireType)
            case 2:
                var reader = try message(wireType, seen: &hasValue)
                value = try reader.anyValue()
            default: try skip(wireType)
            }
        }
        return Attribute(key, value)
    }

    /// `ArrayValue` and `KeyValueList`: field 1, repeated.
    private mutating func values<T>(_ read: (inout WireReader) throws(NotCanonical) -> T) throws(NotCanonical) -> [T] {
        var values: [T] = []
        while let (field, wireType) = try tag() {
            guard field == 1 else { try skip(wireType); continue }
            values.append(try element(wireType, read))
        }
        return values
    }

    /// `AnyValue`: one of its fields; a second one is left to SwiftProtobuf.
    private mutating func anyValue() throws(NotCanonical) -> AttributeValue {
        var value = AttributeValue.empty
        var seen = false
        while let (field, wireType) = try tag() {
            guard (1...7).contains(field) else { try skip(wireType); continue }
            guard !seen else { throw NotCanonical() }
            seen = true
            switch field {
            case 1: value = .string(try string(wireType))
            case 2: try expect(0, wireType); value = .bool(try varint() != 0)
            case 3: try expect(0, wireType); value = .int(Int64(bitPattern: try varint()))
            case 4: try expect(1, wireType); value = .double(Double(bitPattern: try fixed64()))
            case 5: value = .array(try element(wireType) { list throws(NotCanonical) in try list.values { item throws(NotCanonical) in try item.anyValue() } })
            case 6: value = .keyValueList(try element(wireType) { list throws(NotCanonical) in try list.values { item throws(NotCanonical) in try item.attribute() } })
            default: value = .bytes(Array(try bytesField(wireType)))
            }
        }
        return value
    }
}
