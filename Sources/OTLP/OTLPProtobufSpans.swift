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
            var reader = ProtobufWireReader(bytes)
            return try? reader.spanRequest()
        }
    }
}

extension ProtobufWireReader {
    /// `ExportTraceServiceRequest`.
    fileprivate mutating func spanRequest() throws(NotCanonical) -> (spans: [Span], rejected: [OTLPDecodingError]) {
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

    /// `ResourceSpans`.
    private mutating func resourceSpans(index r: Int, into spans: inout [Span], rejected: inout [OTLPDecodingError]) throws(NotCanonical) {
        let (resource, scopes) = try resourceAndScopes()
        for (s, var scopeSpans) in scopes.enumerated() {
            try scopeSpans.scopeSpans(resource: resource, place: (r, s), into: &spans, rejected: &rejected)
        }
    }

    /// `ScopeSpans`.
    private mutating func scopeSpans(resource: Resource, place: (r: Int, s: Int), into spans: inout [Span], rejected: inout [OTLPDecodingError]) throws(NotCanonical) {
        let (scope, spanReaders) = try scopeAndItems()
        spans.reserveCapacity(spans.count + spanReaders.count)
        for (index, var reader) in spanReaders.enumerated() {
            switch try reader.span(resource: resource, scope: scope, place: { "resourceSpans[\(place.r)].scopeSpans[\(place.s)].spans[\(index)]" }) {
            case .success(let span): spans.append(span)
            case .failure(let error): rejected.append(error)
            }
        }
    }

    /// `Span`, its ids checked as `Span(proto:)` checks them (the place is worked out only for
    /// an error message).
    fileprivate mutating func span(resource: Resource, scope: InstrumentationScope, place: () -> String) throws(NotCanonical) -> Result<Span, OTLPDecodingError> {
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
            case 7: start = try fixed64(wireType)
            case 8: end = try fixed64(wireType)
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
    fileprivate mutating func event() throws(NotCanonical) -> SpanEvent {
        var event = SpanEvent(timeUnixNano: 0, name: "")
        while let (field, wireType) = try tag() {
            switch field {
            case 1: event.timeUnixNano = try fixed64(wireType)
            case 2: event.name = try string(wireType)
            case 3: event.attributes.append(try attribute(wireType))
            case 4: event.droppedAttributesCount = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        return event
    }

    /// `Span.Link`, its ids still bytes until they are checked with the span's place.
    fileprivate mutating func link() throws(NotCanonical) -> (traceID: UnsafeRawBufferPointer, spanID: UnsafeRawBufferPointer, link: SpanLink) {
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
    fileprivate mutating func status() throws(NotCanonical) -> SpanStatus {
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
}
