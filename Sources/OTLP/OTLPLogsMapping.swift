import Foundation
import TraceModel

public typealias ExportLogsServiceRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest
public typealias ExportLogsServiceResponse = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse

extension ExportLogsServiceRequest {
    /// The request's valid records, and what is wrong with each of the others (a trace or span id
    /// of the wrong length): what a receiver stores and what it reports in `partial_success`.
    public func decodedLogRecords() -> (records: [LogRecord], rejected: [OTLPDecodingError]) {
        var records: [LogRecord] = []
        var rejected: [OTLPDecodingError] = []
        for (r, resourceLogs) in resourceLogs.enumerated() {
            let resource = Resource(proto: resourceLogs.resource, schemaURL: resourceLogs.schemaURL)
            for (s, scopeLogs) in resourceLogs.scopeLogs.enumerated() {
                let scope = InstrumentationScope(proto: scopeLogs.scope, schemaURL: scopeLogs.schemaURL)
                for (index, proto) in scopeLogs.logRecords.enumerated() {
                    do {
                        records.append(try LogRecord(proto: proto, resource: resource, scope: scope,
                                                     place: { "resourceLogs[\(r)].scopeLogs[\(s)].logRecords[\(index)]" }))
                    } catch {
                        rejected.append(error)
                    }
                }
            }
        }
        return (records, rejected)
    }

    /// Groups records by resource and scope, as an SDK would export them.
    public init(records: [LogRecord]) {
        self.init()
        resourceLogs = groupedByResourceAndScope(records, resource: \.resource, scope: \.scope).map { resource, scopes in
            Opentelemetry_Proto_Logs_V1_ResourceLogs.with {
                $0.resource = resource.proto
                $0.schemaURL = resource.schemaURL
                $0.scopeLogs = scopes.map { scope, records in
                    Opentelemetry_Proto_Logs_V1_ScopeLogs.with {
                        $0.scope = scope.proto
                        $0.schemaURL = scope.schemaURL
                        $0.logRecords = records.map(\.proto)
                    }
                }
            }
        }
    }
}

extension LogRecord {
    /// Ids are optional on a log record, but when present they must have OTLP's lengths; an
    /// all-zero id means "none", as the specification says.
    init(proto: Opentelemetry_Proto_Logs_V1_LogRecord, resource: Resource, scope: InstrumentationScope, place: () -> String) throws(OTLPDecodingError) {
        var traceID: TraceID?
        if !proto.traceID.isEmpty {
            guard let id = TraceID(bytes: proto.traceID) else {
                throw OTLPDecodingError("\(place()): traceId must be empty or 16 bytes, got \(proto.traceID.count) bytes")
            }
            traceID = id.isValid ? id : nil
        }
        var spanID: SpanID?
        if !proto.spanID.isEmpty {
            guard let id = SpanID(bytes: proto.spanID) else {
                throw OTLPDecodingError("\(place()): spanId must be empty or 8 bytes, got \(proto.spanID.count) bytes")
            }
            spanID = id.isValid ? id : nil
        }
        self.init(
            timeUnixNano: proto.timeUnixNano, observedTimeUnixNano: proto.observedTimeUnixNano,
            severityNumber: proto.severityNumber.rawValue, severityText: proto.severityText,
            body: proto.hasBody ? AttributeValue(proto: proto.body) : .empty,
            attributes: proto.attributes.map(Attribute.init(proto:)), droppedAttributesCount: proto.droppedAttributesCount,
            flags: proto.flags, traceID: traceID, spanID: spanID, eventName: proto.eventName,
            resource: resource, scope: scope)
    }

    var proto: Opentelemetry_Proto_Logs_V1_LogRecord {
        .with {
            $0.timeUnixNano = timeUnixNano
            $0.observedTimeUnixNano = observedTimeUnixNano
            $0.severityNumber = .init(rawValue: severityNumber) ?? .unspecified
            $0.severityText = severityText
            if body != .empty { $0.body = body.proto }
            $0.attributes = attributes.map(\.proto)
            $0.droppedAttributesCount = droppedAttributesCount
            $0.flags = flags
            if let traceID { $0.traceID = Data(traceID.bytes) }
            if let spanID { $0.spanID = Data(spanID.bytes) }
            $0.eventName = eventName
        }
    }
}
