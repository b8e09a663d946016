import Foundation
import TraceModel

public typealias ExportTraceServiceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
public typealias ExportTraceServiceResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse

/// A request whose content breaks the OTLP rules; the message names the offending span.
public struct OTLPDecodingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ExportTraceServiceRequest {
    /// The request's spans in the model, each carrying its resource and scope.
    /// Throws when any id is malformed, so that a bad request stores nothing.
    public func spans() throws -> [Span] {
        let decoded = decodedSpans()
        if let problem = decoded.rejected.first { throw problem }
        return decoded.spans
    }

    /// The request's valid spans, and what is wrong with each of the others (a malformed id):
    /// what a receiver stores and what it reports as rejected in `partial_success`.
    public func decodedSpans() -> (spans: [Span], rejected: [OTLPDecodingError]) {
        var spans: [Span] = []
        var rejected: [OTLPDecodingError] = []
        for (r, resourceSpans) in resourceSpans.enumerated() {
            let resource = Resource(proto: resourceSpans.resource, schemaURL: resourceSpans.schemaURL)
            for (s, scopeSpans) in resourceSpans.scopeSpans.enumerated() {
                let scope = InstrumentationScope(proto: scopeSpans.scope, schemaURL: scopeSpans.schemaURL)
                for (index, proto) in scopeSpans.spans.enumerated() {
                    do {
                        spans.append(try Span(proto: proto, resource: resource, scope: scope, place: { "resourceSpans[\(r)].scopeSpans[\(s)].spans[\(index)]" }))
                    } catch {
                        rejected.append(error)
                    }
                }
            }
        }
        return (spans, rejected)
    }

    /// Groups spans by resource and scope, as an SDK would export them.
    public init(spans: [Span]) {
        self.init()
        resourceSpans = groupedByResourceAndScope(spans, resource: \.resource, scope: \.scope).map { resource, scopes in
            Opentelemetry_Proto_Trace_V1_ResourceSpans.with {
                $0.resource = resource.proto
                $0.schemaURL = resource.schemaURL
                $0.scopeSpans = scopes.map { scope, spans in
                    Opentelemetry_Proto_Trace_V1_ScopeSpans.with {
                        $0.scope = scope.proto
                        $0.schemaURL = scope.schemaURL
                        $0.spans = spans.map(\.proto)
                    }
                }
            }
        }
    }
}

/// Items grouped as an SDK exports them: by resource, then by scope, each in order of first appearance.
func groupedByResourceAndScope<Item>(_ items: [Item], resource: (Item) -> Resource, scope: (Item) -> InstrumentationScope)
    -> [(Resource, [(InstrumentationScope, [Item])])] {
    var resourceOrder: [Resource] = []
    var scopeOrder: [Resource: [InstrumentationScope]] = [:]
    var byScope: [Resource: [InstrumentationScope: [Item]]] = [:]
    for item in items {
        let (itemResource, itemScope) = (resource(item), scope(item))
        if scopeOrder[itemResource] == nil { resourceOrder.append(itemResource); scopeOrder[itemResource] = [] }
        if byScope[itemResource, default: [:]][itemScope] == nil { scopeOrder[itemResource]!.append(itemScope) }
        byScope[itemResource, default: [:]][itemScope, default: []].append(item)
    }
    return resourceOrder.map { resource in (resource, scopeOrder[resource]!.map { ($0, byScope[resource]![$0]!) }) }
}

extension Resource {
    init(proto: Opentelemetry_Proto_Resource_V1_Resource, schemaURL: String) {
        self.init(attributes: proto.attributes.map(Attribute.init(proto:)), droppedAttributesCount: proto.droppedAttributesCount, schemaURL: schemaURL)
    }

    /// Its attributes and dropped count; the schema URL travels beside it in OTLP.
    var proto: Opentelemetry_Proto_Resource_V1_Resource {
        .with {
            $0.attributes = attributes.map(\.proto)
            $0.droppedAttributesCount = droppedAttributesCount
        }
    }
}

extension InstrumentationScope {
    init(proto: Opentelemetry_Proto_Common_V1_InstrumentationScope, schemaURL: String) {
        self.init(name: proto.name, version: proto.version, attributes: proto.attributes.map(Attribute.init(proto:)),
                  droppedAttributesCount: proto.droppedAttributesCount, schemaURL: schemaURL)
    }

    var proto: Opentelemetry_Proto_Common_V1_InstrumentationScope {
        .with {
            $0.name = name
            $0.version = version
            $0.attributes = attributes.map(\.proto)
            $0.droppedAttributesCount = droppedAttributesCount
        }
    }
}

extension Span {
    /// A span's ids as OTLP requires them, from the bytes either decoder read; `place` names the
    /// span in the error and is worked out only then.
    static func checkedIDs(traceID: some Collection<UInt8>, spanID: some Collection<UInt8>, parentSpanID: some Collection<UInt8>,
                           place: () -> String) throws(OTLPDecodingError) -> (traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?) {
        guard let trace = TraceID(bytes: traceID), trace.isValid else {
            throw OTLPDecodingError("\(place()): traceId must be 16 bytes and not all zero, got \(traceID.count) bytes")
        }
        guard let span = SpanID(bytes: spanID), span.isValid else {
            throw OTLPDecodingError("\(place()): spanId must be 8 bytes and not all zero, got \(spanID.count) bytes")
        }
        guard !parentSpanID.isEmpty else { return (trace, span, nil) }
        guard let parent = SpanID(bytes: parentSpanID) else {
            throw OTLPDecodingError("\(place()): parentSpanId must be empty or 8 bytes, got \(parentSpanID.count) bytes")
        }
        return (trace, span, parent.isValid ? parent : nil)
    }

    static func checkedLinkIDs(traceID: some Collection<UInt8>, spanID: some Collection<UInt8>, index: Int,
                               place: () -> String) throws(OTLPDecodingError) -> (TraceID, SpanID) {
        guard let trace = TraceID(bytes: traceID), let span = SpanID(bytes: spanID) else {
            throw OTLPDecodingError("\(place()).links[\(index)]: traceId must be 16 bytes and spanId 8 bytes")
        }
        return (trace, span)
    }

    init(proto: Opentelemetry_Proto_Trace_V1_Span, resource: Resource, scope: InstrumentationScope, place: () -> String) throws(OTLPDecodingError) {
        let (traceID, spanID, parentSpanID) = try Self.checkedIDs(traceID: proto.traceID, spanID: proto.spanID, parentSpanID: proto.parentSpanID, place: place)
        let links = try proto.links.enumerated().map { (index, link) throws(OTLPDecodingError) in
            let (linkTrace, linkSpan) = try Self.checkedLinkIDs(traceID: link.traceID, spanID: link.spanID, index: index, place: place)
            return SpanLink(traceID: linkTrace, spanID: linkSpan, traceState: link.traceState,
                            attributes: link.attributes.map(Attribute.init(proto:)),
                            droppedAttributesCount: link.droppedAttributesCount, flags: link.flags)
        }
        self.init(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, traceState: proto.traceState, flags: proto.flags,
            name: proto.name, kind: SpanKind(rawValue: proto.kind.rawValue) ?? .unspecified,
            startTimeUnixNano: proto.startTimeUnixNano, endTimeUnixNano: proto.endTimeUnixNano,
            attributes: proto.attributes.map(Attribute.init(proto:)), droppedAttributesCount: proto.droppedAttributesCount,
            events: proto.events.map {
                SpanEvent(timeUnixNano: $0.timeUnixNano, name: $0.name, attributes: $0.attributes.map(Attribute.init(proto:)),
                          droppedAttributesCount: $0.droppedAttributesCount)
            },
            droppedEventsCount: proto.droppedEventsCount,
            links: links, droppedLinksCount: proto.droppedLinksCount,
            status: SpanStatus(code: SpanStatus.Code(rawValue: proto.status.code.rawValue) ?? .unset, message: proto.status.message),
            resource: resource, scope: scope)
    }

    var proto: Opentelemetry_Proto_Trace_V1_Span {
        .with {
            $0.traceID = Data(traceID.bytes)
            $0.spanID = Data(spanID.bytes)
            if let parentSpanID { $0.parentSpanID = Data(parentSpanID.bytes) }
            $0.traceState = traceState
            $0.flags = flags
            $0.name = name
            $0.kind = .init(rawValue: kind.rawValue) ?? .unspecified
            $0.startTimeUnixNano = startTimeUnixNano
            $0.endTimeUnixNano = endTimeUnixNano
            $0.attributes = attributes.map(\.proto)
            $0.droppedAttributesCount = droppedAttributesCount
            $0.events = events.map { event in
                .with {
                    $0.timeUnixNano = event.timeUnixNano
                    $0.name = event.name
                    $0.attributes = event.attributes.map(\.proto)
                    $0.droppedAttributesCount = event.droppedAttributesCount
                }
            }
            $0.droppedEventsCount = droppedEventsCount
            $0.links = links.map { link in
                .with {
                    $0.traceID = Data(link.traceID.bytes)
                    $0.spanID = Data(link.spanID.bytes)
                    $0.traceState = link.traceState
                    $0.attributes = link.attributes.map(\.proto)
                    $0.droppedAttributesCount = link.droppedAttributesCount
                    $0.flags = link.flags
                }
            }
            $0.droppedLinksCount = droppedLinksCount
            if status.code != .unset || !status.message.isEmpty {
                $0.status.code = .init(rawValue: status.code.rawValue) ?? .unset
                $0.status.message = status.message
            }
        }
    }
}

extension Attribute {
    init(proto: Opentelemetry_Proto_Common_V1_KeyValue) {
        self.init(proto.key, proto.hasValue ? AttributeValue(proto: proto.value) : .empty)
    }

    var proto: Opentelemetry_Proto_Common_V1_KeyValue {
        .with {
            $0.key = key
            if value != .empty { $0.value = value.proto }
        }
    }
}

extension AttributeValue {
    init(proto: Opentelemetry_Proto_Common_V1_AnyValue) {
        switch proto.value {
        case .stringValue(let value): self = .string(value)
        case .boolValue(let value): self = .bool(value)
        case .intValue(let value): self = .int(value)
        case .doubleValue(let value): self = .double(value)
        case .bytesValue(let value): self = .bytes(Array(value))
        case .arrayValue(let value): self = .array(value.values.map(AttributeValue.init(proto:)))
        case .kvlistValue(let value): self = .keyValueList(value.values.map(Attribute.init(proto:)))
        case nil: self = .empty
        }
    }

    var proto: Opentelemetry_Proto_Common_V1_AnyValue {
        .with {
            switch self {
            case .string(let value): $0.stringValue = value
            case .bool(let value): $0.boolValue = value
            case .int(let value): $0.intValue = value
            case .double(let value): $0.doubleValue = value
            case .bytes(let value): $0.bytesValue = Data(value)
            case .array(let values): $0.arrayValue = .with { $0.values = values.map(\.proto) }
            case .keyValueList(let pairs): $0.kvlistValue = .with { $0.values = pairs.map(\.proto) }
            case .empty: break
            }
        }
    }
}
