import GRDB
import TraceModel

/// Reads spans from v1's tables, for the migration that converts them to v2.
enum LegacyV1 {
    static let spanSelect = """
        SELECT span.trace_id, span.span_id, span.parent_span_id, span.trace_state, span.flags, span.name, span.kind,
               span.start_ns, span.end_ns, span.status_code, span.status_message, span.attributes, span.dropped_attributes_count,
               span.events, span.dropped_events_count, span.links, span.dropped_links_count, span.resource_id, span.scope_id,
               resource.attributes, resource.dropped_attributes_count, resource.schema_url,
               scope.name, scope.version, scope.attributes, scope.dropped_attributes_count, scope.schema_url
        FROM span JOIN resource ON resource.id = span.resource_id JOIN scope ON scope.id = span.scope_id
        """

    private enum Column {
        static let traceID = 0, spanID = 1, parentSpanID = 2, traceState = 3, flags = 4, name = 5, kind = 6
        static let start = 7, end = 8, statusCode = 9, statusMessage = 10, attributes = 11, droppedAttributes = 12
        static let events = 13, droppedEvents = 14, links = 15, droppedLinks = 16, resourceID = 17, scopeID = 18
        static let resourceAttributes = 19, resourceDropped = 20, resourceSchema = 21
        static let scopeName = 22, scopeVersion = 23, scopeAttributes = 24, scopeDropped = 25, scopeSchema = 26
    }

    static func span(from row: Row, resources: inout [Int64: Resource], scopes: inout [Int64: InstrumentationScope]) throws -> Span {
        typealias C = Column
        let resourceID: Int64 = row[C.resourceID]
        let scopeID: Int64 = row[C.scopeID]
        let resource = try resources[resourceID] ?? {
            let resource = Resource(
                attributes: try StoredJSON.decodeAttributes(row[C.resourceAttributes]),
                droppedAttributesCount: UInt32(row[C.resourceDropped] as Int64),
                schemaURL: row[C.resourceSchema])
            resources[resourceID] = resource
            return resource
        }()
        let scope = try scopes[scopeID] ?? {
            let scope = InstrumentationScope(
                name: row[C.scopeName], version: row[C.scopeVersion],
                attributes: try StoredJSON.decodeAttributes(row[C.scopeAttributes]),
                droppedAttributesCount: UInt32(row[C.scopeDropped] as Int64),
                schemaURL: row[C.scopeSchema])
            scopes[scopeID] = scope
            return scope
        }()
        let parentHex: String? = row[C.parentSpanID]
        return Span(
            traceID: TraceID(hex: row[C.traceID] as String) ?? TraceID(high: 0, low: 0),
            spanID: SpanID(hex: row[C.spanID] as String) ?? SpanID(0),
            parentSpanID: parentHex.flatMap { SpanID(hex: $0) },
            traceState: row[C.traceState],
            flags: UInt32(truncatingIfNeeded: row[C.flags] as Int64),
            name: row[C.name],
            kind: SpanKind(rawValue: row[C.kind]) ?? .unspecified,
            startTimeUnixNano: UInt64(bitPattern: row[C.start]),
            endTimeUnixNano: UInt64(bitPattern: row[C.end]),
            attributes: try StoredJSON.decodeAttributes(row[C.attributes]),
            droppedAttributesCount: UInt32(row[C.droppedAttributes] as Int64),
            events: try StoredJSON.decodeEvents(row[C.events]),
            droppedEventsCount: UInt32(row[C.droppedEvents] as Int64),
            links: try StoredJSON.decodeLinks(row[C.links]),
            droppedLinksCount: UInt32(row[C.droppedLinks] as Int64),
            status: SpanStatus(code: SpanStatus.Code(rawValue: row[C.statusCode]) ?? .unset, message: row[C.statusMessage]),
            resource: resource,
            scope: scope)
    }
}
