import TraceModel

/// A parsed query: which spans of a trace match (`spansets`), then what the pipeline keeps.
/// Follows Grafana Tempo's TraceQL where the two overlap, so queries carry between them.
public struct TraceQLQuery: Sendable, Equatable, CustomStringConvertible {
    public var spansets: SpansetExpression
    public var pipeline: [PipelineStage]
    /// The text it was parsed from.
    public let source: String

    public init(_ source: String) throws(TraceQLSyntaxError) {
        self = try TraceQLParser.parse(source)
    }

    init(spansets: SpansetExpression, pipeline: [PipelineStage], source: String) {
        self.spansets = spansets
        self.pipeline = pipeline
        self.source = source
    }

    public var description: String { source }

    /// The field a `by(...)` stage groups by, if the pipeline has one.
    public var grouping: Field? {
        pipeline.lazy.compactMap { if case .by(let field) = $0 { field } else { nil } }.first
    }
}

/// Sets of spans combined the way TraceQL combines `{ ... }` selectors.
public indirect enum SpansetExpression: Sendable, Equatable {
    /// `{ condition }`: the spans the condition holds for.
    case selector(SpanCondition)
    /// `{A} && {B}`: both found in the trace; the spans of both.
    case and(SpansetExpression, SpansetExpression)
    /// `{A} || {B}`: the spans of either.
    case or(SpansetExpression, SpansetExpression)
    /// `{A} > {B}`: spans of B whose parent is a span of A.
    case child(SpansetExpression, SpansetExpression)
    /// `{A} >> {B}`: spans of B with an ancestor among the spans of A.
    case descendant(SpansetExpression, SpansetExpression)
}

/// What a `{ ... }` selector asks of one span.
public indirect enum SpanCondition: Sendable, Equatable {
    case always
    case comparison(Comparison)
    case and(SpanCondition, SpanCondition)
    case or(SpanCondition, SpanCondition)
}

public struct Comparison: Sendable, Equatable {
    public var field: Field
    public var op: ComparisonOperator
    public var literal: Literal
    /// The compiled, fully anchored pattern of `=~` and `!~`.
    var pattern: AnchoredPattern?
}

public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    case matches = "=~", notMatches = "!~"

    /// `!=` and `!~` hold for a many-valued field (an array, a span's events) when no value has the other.
    public var isNegative: Bool { self == .notEqual || self == .notMatches }
    var positive: ComparisonOperator { switch self { case .notEqual: .equal; case .notMatches: .matches; default: self } }
    var isOrdering: Bool { self == .greater || self == .greaterOrEqual || self == .less || self == .lessOrEqual }
}

/// What a condition looks at in a span.
public enum Field: Sendable, Hashable, CustomStringConvertible {
    case attribute(AttributeScope, String)
    case intrinsic(Intrinsic)

    public var description: String {
        switch self {
        case .attribute(.span, let key): "span.\(Self.spelled(key))"
        case .attribute(.resource, let key): "resource.\(Self.spelled(key))"
        case .attribute(.any, let key): ".\(Self.spelled(key))"
        case .intrinsic(let intrinsic): intrinsic.rawValue
        }
    }

    private static func spelled(_ key: String) -> String {
        key.allSatisfy(TraceQLLexer.isAttributeCharacter) && !key.isEmpty ? key : "\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

public enum AttributeScope: Sendable, Hashable {
    case span, resource
    /// `.key`: the span's attribute or its resource's.
    case any
}

/// The fields every span has, named as TraceQL names them.
public enum Intrinsic: String, Sendable, CaseIterable {
    case name, status, kind, duration, statusMessage
    case traceDuration = "trace:duration", rootService = "trace:rootService", rootName = "trace:rootName"
    case eventName = "event:name"
    /// A log record of the span: its severity (a level name or number), its body as text.
    case logSeverity = "log:severity", logBody = "log:body"

    /// Other spellings Tempo accepts.
    static let aliases: [String: Intrinsic] = [
        "span:name": .name, "span:status": .status, "span:kind": .kind, "span:duration": .duration, "span:statusMessage": .statusMessage,
        "traceDuration": .traceDuration, "rootServiceName": .rootService, "rootName": .rootName, "trace:rootServiceName": .rootService,
    ]

    var valueType: IntrinsicType {
        switch self {
        case .name, .statusMessage, .rootService, .rootName, .eventName, .logBody: .string
        case .status: .status
        case .kind: .kind
        case .duration, .traceDuration: .duration
        case .logSeverity: .severity
        }
    }

    enum IntrinsicType { case string, status, kind, duration, severity }
}

public enum Literal: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    /// Nanoseconds.
    case duration(Int64)
    case status(SpanStatus.Code)
    case kind(SpanKind)
    /// A log severity level, by the lowest number of its range (`warn` is 13).
    case severity(Int)
    /// Compared with `=` or `!=`: the attribute is missing, or present.
    case `nil`

    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .int(let value): String(value)
        case .float(let value): String(value)
        case .bool(let value): String(value)
        case .duration(let nanos): "\(nanos)ns"
        case .status(let code): ["unset", "ok", "error"][code.rawValue]
        case .kind(let kind): kind.name
        case .severity(let number): Severity(number: number)?.name.lowercased() ?? String(number)
        case .nil: "nil"
        }
    }
}

/// One `| ...` stage.
public enum PipelineStage: Sendable, Equatable {
    /// `count() > 3`: keeps spansets with that many spans.
    case count(ComparisonOperator, Double)
    /// `avg(duration) > 20ms`: keeps spansets whose spans' values aggregate so.
    case aggregate(Aggregate, Field, ComparisonOperator, Double)
    /// `by(resource.service.name)`: splits each spanset by the field's value.
    case by(Field)
}

public enum Aggregate: String, Sendable, CaseIterable {
    case avg, min, max, sum
}

extension TraceQLQuery {
    /// The fields the query reads, selectors and pipeline both.
    var fields: [Field] {
        func conditionFields(_ condition: SpanCondition) -> [Field] {
            switch condition {
            case .always: []
            case .comparison(let comparison): [comparison.field]
            case .and(let a, let b), .or(let a, let b): conditionFields(a) + conditionFields(b)
            }
        }
        func spansetFields(_ expression: SpansetExpression) -> [Field] {
            switch expression {
            case .selector(let condition): conditionFields(condition)
            case .and(let a, let b), .or(let a, let b), .child(let a, let b), .descendant(let a, let b): spansetFields(a) + spansetFields(b)
            }
        }
        return spansetFields(spansets) + pipeline.compactMap { stage in
            switch stage {
            case .count: nil
            case .aggregate(_, let field, _, _), .by(let field): field
            }
        }
    }

    /// The span attributes evaluating reads (resource attributes come with every span).
    public var spanAttributeKeys: Set<String> {
        Set(fields.compactMap { field in
            switch field {
            case .attribute(.resource, _), .intrinsic: nil
            case .attribute(_, let key): key
            }
        })
    }

    /// Whether evaluating reads span events (`event:name`).
    public var readsEvents: Bool { fields.contains(.intrinsic(.eventName)) }

    /// Whether evaluating reads the trace's log records (`log:severity`, `log:body`).
    public var readsLogs: Bool { fields.contains(.intrinsic(.logSeverity)) || fields.contains(.intrinsic(.logBody)) }
}
