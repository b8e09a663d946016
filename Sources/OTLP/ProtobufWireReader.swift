import TraceModel

/// Thrown where SwiftProtobuf should decide.
struct NotCanonical: Error {}

/// Protobuf's wire format and the messages every OTLP signal shares, read in place: the fast path
/// the signal readers (`OTLPProtobufSpans`, `OTLPProtobufMetrics`) build on.
struct ProtobufWireReader {
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

    var atEnd: Bool { position >= end }

    mutating func varint() throws(NotCanonical) -> UInt64 {
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

    mutating func fixed64() throws(NotCanonical) -> UInt64 {
        guard end - position >= 8 else { throw NotCanonical() }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    mutating func fixed32() throws(NotCanonical) -> UInt32 {
        guard end - position >= 4 else { throw NotCanonical() }
        let value = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        return value
    }

    /// A field's number and wire type, or nil at the end of the message.
    mutating func tag() throws(NotCanonical) -> (field: UInt64, wireType: UInt64)? {
        guard !atEnd else { return nil }
        let key = try varint()
        guard (1...536_870_911).contains(key >> 3) else { throw NotCanonical() }
        return (key >> 3, key & 7)
    }

    mutating func lengthDelimited() throws(NotCanonical) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw NotCanonical() }
        let range = position ..< position + Int(length)
        position = range.upperBound
        return range
    }

    /// A field this decoder does not use: skipped as SwiftProtobuf keeps it aside.
    mutating func skip(_ wireType: UInt64) throws(NotCanonical) {
        switch wireType {
        case 0: _ = try varint()
        case 1: _ = try fixed64()
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw NotCanonical()
        }
    }

    mutating func expect(_ wireType: UInt64, _ actual: UInt64) throws(NotCanonical) {
        guard wireType == actual else { throw NotCanonical() }
    }

    mutating func string(_ wireType: UInt64) throws(NotCanonical) -> String {
        try expect(2, wireType)
        let range = try lengthDelimited()
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else { throw NotCanonical() }
        return text
    }

    mutating func bytesField(_ wireType: UInt64) throws(NotCanonical) -> UnsafeRawBufferPointer {
        try expect(2, wireType)
        return UnsafeRawBufferPointer(rebasing: bytes[try lengthDelimited()])
    }

    mutating func uint32(_ wireType: UInt64) throws(NotCanonical) -> UInt32 {
        try expect(0, wireType)
        return UInt32(truncatingIfNeeded: try varint())
    }

    /// An enum as SwiftProtobuf reads it: an int32, unknown values kept by number.
    mutating func enumValue(_ wireType: UInt64) throws(NotCanonical) -> Int {
        try expect(0, wireType)
        return Int(Int32(truncatingIfNeeded: try varint()))
    }

    /// A `fixed64` or `sfixed64` field's bits.
    mutating func fixed64(_ wireType: UInt64) throws(NotCanonical) -> UInt64 {
        try expect(1, wireType)
        return try fixed64()
    }

    mutating func double(_ wireType: UInt64) throws(NotCanonical) -> Double {
        try expect(1, wireType)
        return Double(bitPattern: try fixed64())
    }

    mutating func bool(_ wireType: UInt64) throws(NotCanonical) -> Bool {
        try expect(0, wireType)
        return try varint() != 0
    }

    /// A `sint32`: zigzag-encoded, truncated to 32 bits as SwiftProtobuf reads it.
    mutating func sint32(_ wireType: UInt64) throws(NotCanonical) -> Int32 {
        try expect(0, wireType)
        let raw = UInt32(truncatingIfNeeded: try varint())
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Appends a repeated `fixed64` or `double` field's values: packed (as every SDK writes them) or one by one.
    mutating func appendFixed64s(_ wireType: UInt64, to values: inout [UInt64]) throws(NotCanonical) {
        guard wireType == 2 else { values.append(try fixed64(wireType)); return }
        let range = try lengthDelimited()
        guard range.count % 8 == 0 else { throw NotCanonical() }
        values.reserveCapacity(values.count + range.count / 8)
        for offset in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
            values.append(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        }
    }

    /// Appends a repeated `uint64` field's values, packed or one by one.
    mutating func appendVarints(_ wireType: UInt64, to values: inout [UInt64]) throws(NotCanonical) {
        guard wireType == 2 else { try expect(0, wireType); values.append(try varint()); return }
        let range = try lengthDelimited()
        var packed = ProtobufWireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth)
        while !packed.atEnd { values.append(try packed.varint()) }
    }

    /// A nested message's reader; a message field seen twice would merge, which is left to SwiftProtobuf.
    mutating func message(_ wireType: UInt64, seen: inout Bool) throws(NotCanonical) -> ProtobufWireReader {
        try expect(2, wireType)
        guard !seen, depth + 1 < Self.maximumDepth else { throw NotCanonical() }
        seen = true
        let range = try lengthDelimited()
        return ProtobufWireReader(bytes, from: range.lowerBound, to: range.upperBound, depth: depth + 1)
    }

    mutating func repeatedMessage(_ wireType: UInt64) throws(NotCanonical) -> ProtobufWireReader {
        var fresh = false
        return try message(wireType, seen: &fresh)
    }

    /// One element of a repeated message field, read whole.
    mutating func element<T>(_ wireType: UInt64, _ read: (inout ProtobufWireReader) throws(NotCanonical) -> T) throws(NotCanonical) -> T {
        var reader = try repeatedMessage(wireType)
        return try read(&reader)
    }

    // MARK: Messages every signal shares

    /// `ResourceSpans`, `ResourceMetrics`, `ResourceLogs`: the resource (1), the scopes' messages
    /// (2) and the schema URL (3), in any order; the scopes are returned unread, to be read once
    /// the resource is known.
    mutating func resourceAndScopes() throws(NotCanonical) -> (Resource, [ProtobufWireReader]) {
        var resource = Resource()
        var hasResource = false
        var scopes: [ProtobufWireReader] = []
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
        return (resource, scopes)
    }

    /// `ScopeSpans`, `ScopeMetrics`, `ScopeLogs`: the scope (1), its items' messages (2), unread, and the schema URL (3).
    mutating func scopeAndItems() throws(NotCanonical) -> (InstrumentationScope, [ProtobufWireReader]) {
        var scope = InstrumentationScope()
        var hasScope = false
        var items: [ProtobufWireReader] = []
        while let (field, wireType) = try tag() {
            switch field {
            case 1:
                var reader = try message(wireType, seen: &hasScope)
                scope = try reader.scope(schemaURL: scope.schemaURL)
            case 2: items.append(try repeatedMessage(wireType))
            case 3: scope.schemaURL = try string(wireType)
            default: try skip(wireType)
            }
        }
        return (scope, items)
    }

    /// `InstrumentationScope`.
    mutating func scope(schemaURL: String) throws(NotCanonical) -> InstrumentationScope {
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
    mutating func resource() throws(NotCanonical) -> ([Attribute], UInt32) {
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

    /// One `KeyValue` of a repeated attributes field.
    mutating func attribute(_ wireType: UInt64) throws(NotCanonical) -> Attribute {
        try element(wireType) { reader throws(NotCanonical) in try reader.attribute() }
    }

    /// `KeyValue`.
    mutating func attribute() throws(NotCanonical) -> Attribute {
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
    mutating func values<T>(_ read: (inout ProtobufWireReader) throws(NotCanonical) -> T) throws(NotCanonical) -> [T] {
        var values: [T] = []
        while let (field, wireType) = try tag() {
            guard field == 1 else { try skip(wireType); continue }
            values.append(try element(wireType, read))
        }
        return values
    }

    /// `AnyValue`: one of its fields; a second one is left to SwiftProtobuf.
    mutating func anyValue() throws(NotCanonical) -> AttributeValue {
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
