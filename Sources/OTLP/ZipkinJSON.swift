import Foundation
import TraceModel

/// Zipkin v2 JSON (`POST /api/v2/spans`: an array of spans) in the model, mapped as the
/// OpenTelemetry Collector's zipkin receiver maps it: `localEndpoint.serviceName` is the resource's
/// `service.name`, tags are attributes (`error`, `otel.status_code`, `otel.scope.*` and
/// `otel.dropped_*` read back as what the OpenTelemetry Zipkin exporters made of them), annotations
/// are events, and a missing kind is internal.
public enum ZipkinJSON {
    /// The body's valid spans, and what is wrong with each of the others. Throws when the body is
    /// not a JSON array of span objects at all.
    public static func decodedSpans(from data: Data) throws -> (spans: [Span], rejected: [OTLPDecodingError]) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw OTLPDecodingError("body is not JSON: a Zipkin v2 body is an array of spans")
        }
        guard let items = parsed as? [Any] else { throw OTLPDecodingError("body is not a JSON array: a Zipkin v2 body is an array of spans") }
        var spans: [Span] = []
        var rejected: [OTLPDecodingError] = []
        for (index, item) in items.enumerated() {
            guard let object = item as? [String: Any] else {
                rejected.append(OTLPDecodingError("span \(index) is not a JSON object"))
                continue
            }
            do { spans.append(try span(object)) } catch let problem as OTLPDecodingError {
                rejected.append(OTLPDecodingError("span \(index): \(problem.description)"))
            }
        }
        return (spans, rejected)
    }

    /// Tags that say something other than an attribute, as the OpenTelemetry exporters write them.
    static let statusCodeTag = "otel.status_code"
    static let scopeTags = (name: ["otel.scope.name", "otel.library.name"], version: ["otel.scope.version", "otel.library.version"])

    static func span(_ object: [String: Any]) throws(OTLPDecodingError) -> Span {
        guard let traceHex = object["traceId"] as? String, [16, 32].contains(traceHex.count),
              let traceID = TraceID(hex: String(repeating: "0", count: 32 - traceHex.count) + traceHex), traceID != TraceID(high: 0, low: 0) else {
            throw OTLPDecodingError("traceId must be 16 or 32 hex digits, not all zero")
        }
        guard let spanHex = object["id"] as? String, spanHex.count == 16, let spanID = SpanID(hex: spanHex), spanID.value != 0 else {
            throw OTLPDecodingError("id must be 16 hex digits, not all zero")
        }
        var parentSpanID: SpanID?
        if let parentHex = object["parentId"] as? String, !parentHex.isEmpty {
            guard parentHex.count == 16, let parent = SpanID(hex: parentHex) else { throw OTLPDecodingError("parentId must be 16 hex digits") }
            parentSpanID = parent.value == 0 ? nil : parent
        }
        let start = nanos(object["timestamp"]) ?? 0
        let kind: SpanKind = switch (object["kind"] as? String)?.uppercased() {
        case "SERVER": .server
        case "CLIENT": .client
        case "PRODUCER": .producer
        case "CONSUMER": .consumer
        default: .internal
        }
        var tags = (object["tags"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        var status = SpanStatus()
        if let code = tags.removeValue(forKey: statusCodeTag) {
            status.code = code.uppercased() == "ERROR" ? .error : code.uppercased() == "OK" ? .ok : .unset
        }
        if let error = tags.removeValue(forKey: "error") {
            // Any `error` tag marks a failure (Brave writes the message; OpenTelemetry's exporters the description, maybe empty).
            status.code = .error
            status.message = error
        }
        var scope = InstrumentationScope()
        for key in scopeTags.name { if let name = tags.removeValue(forKey: key), scope.name.isEmpty { scope.name = name } }
        for key in scopeTags.version { if let version = tags.removeValue(forKey: key), scope.version.isEmpty { scope.version = version } }
        func dropped(_ key: String) -> UInt32 { tags.removeValue(forKey: key).flatMap { UInt32($0) } ?? 0 }
        let droppedAttributes = dropped("otel.dropped_attributes_count"), droppedEvents = dropped("otel.dropped_events_count")
        let droppedLinks = dropped("otel.dropped_links_count")
        let local = object["localEndpoint"] as? [String: Any]
        let serviceName = (local?["serviceName"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? tags["service.name"]
        tags.removeValue(forKey: "service.name")
        var resourceAttributes: [Attribute] = []
        if let serviceName { resourceAttributes.append(Attribute("service.name", .string(serviceName))) }
        var attributes = tags.keys.sorted().map { Attribute($0, .string(tags[$0]!)) }
        if let remote = object["remoteEndpoint"] as? [String: Any] {
            if let name = remote["serviceName"] as? String, !name.isEmpty { attributes.append(Attribute("peer.service", .string(name))) }
            if let address = (remote["ipv6"] as? String) ?? (remote["ipv4"] as? String) { attributes.append(Attribute("network.peer.address", .string(address))) }
            if let port = remote["port"] as? Int { attributes.append(Attribute("network.peer.port", .int(Int64(port)))) }
        }
        let events = (object["annotations"] as? [[String: Any]] ?? []).compactMap(event)
        // A shared span is the server's half of a span the client began under the same id: kept as
        // its own span, a child of the client's, with an id made from that one (the same on a retry).
        var ownID = spanID
        if object["shared"] as? Bool == true, kind == .server {
            parentSpanID = spanID
            ownID = SpanID(sharedHalfOf: spanID)
        }
        return Span(traceID: traceID, spanID: ownID, parentSpanID: parentSpanID, name: object["name"] as? String ?? "", kind: kind,
                    startTimeUnixNano: start, endTimeUnixNano: start + (nanos(object["duration"]) ?? 0),
                    attributes: attributes, droppedAttributesCount: droppedAttributes, events: events, droppedEventsCount: droppedEvents,
                    droppedLinksCount: droppedLinks, status: status, resource: Resource(attributes: resourceAttributes), scope: scope)
    }

    /// An annotation as an event: `{"name": {attributes}}` (how OpenTelemetry's exporters write an
    /// event with attributes) read back as such; any other value is the event's name.
    static func event(_ annotation: [String: Any]) -> SpanEvent? {
        guard let value = annotation["value"] as? String else { return nil }
        let time = nanos(annotation["timestamp"]) ?? 0
        if value.hasPrefix("{"), let object = (try? JSONSerialization.jsonObject(with: Data(value.utf8))) as? [String: Any], object.count == 1,
           let (name, fields) = object.first, let attributes = fields as? [String: Any] {
            return SpanEvent(timeUnixNano: time, name: name, attributes: attributes.keys.sorted().compactMap { key in
                attributeValue(attributes[key]!).map { Attribute(key, $0) }
            })
        }
        return SpanEvent(timeUnixNano: time, name: value)
    }

    static func attributeValue(_ value: Any) -> AttributeValue? {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber:
            // JSONSerialization makes true and false NSNumbers of C type `c` (char); JSON numbers are never that.
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 9e15 ? .int(number.int64Value) : .double(number.doubleValue)
        case let list as [Any]: return .array(list.compactMap(attributeValue))
        default: return nil
        }
    }

    /// Zipkin's microseconds (whole, or with a fraction) in nanoseconds.
    static func nanos(_ value: Any?) -> UInt64? {
        guard let number = value as? NSNumber, number.doubleValue >= 0 else { return nil }
        let micros = number.doubleValue
        // Whole microseconds and the fraction apart: in one double, nanoseconds since 1970 lose their last digits.
        let whole = micros.rounded(.down)
        return UInt64(whole) * 1_000 + UInt64(((micros - whole) * 1_000).rounded())
    }
}

extension SpanID {
    /// The id a shared span's server half is stored under: a fixed mix of the shared id, so a retry maps to the same one.
    init(sharedHalfOf id: SpanID) {
        var mixed = id.value &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        self.init(mixed ^ (mixed >> 31))
    }
}
