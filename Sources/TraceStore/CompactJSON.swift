import Foundation
import TraceModel

/// The JSON kept in v2's attribute, event and link columns: short enough to keep a span near 200
/// bytes, still plain JSON so `sqlite3` users can take it apart with SQLite's json functions.
///
/// - attributes: `{"<attribute_keys.id>": value, ...}` in the sender's order
/// - a value: a JSON string, integer, `true`/`false`, a number with `.` or `e` for a double,
///   `[...]` for an array, `null` for an empty value, `{"bytes": "<base64>"}`,
///   `{"double": "NaN" | "Infinity" | "-Infinity"}`, `{"kvlist": {"<key>": value, ...}}`
/// - events: `[[nanoseconds after the span's start, "name", {attributes}, dropped], ...]`,
///   the last two left out when empty
/// - links: `[["<trace id hex>", "<span id hex>", "trace state", {attributes}, dropped, flags], ...]`
enum CompactJSON {
    /// Writes one column's JSON; `keyID` maps an attribute key to its dictionary id.
    struct Writer {
        var bytes: [UInt8] = []
        let keyID: (String) throws -> Int64
        /// The key ids of the attribute list written while `recordsKeyIDs` is on, in its order,
        /// so the attribute index can use them without looking each key up again.
        var recordedKeyIDs: [Int64] = []
        var recordsKeyIDs = false

        init(keyID: @escaping (String) throws -> Int64) {
            self.keyID = keyID
            bytes.reserveCapacity(256)
        }

        mutating func text() -> String {
            defer { bytes.removeAll(keepingCapacity: true) }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Drops a half-written value, after `keyID` threw part way through one.
        mutating func discard() {
            bytes.removeAll(keepingCapacity: true)
        }

        mutating func attributes(_ attributes: [Attribute]) throws {
            bytes.append(UInt8(ascii: "{"))
            for (index, attribute) in attributes.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "\""))
                let id = try keyID(attribute.key)
                if recordsKeyIDs { recordedKeyIDs.append(id) }
                integer(id)
                bytes.append(contentsOf: "\":".utf8)
                value(attribute.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }

        mutating func events(_ events: [SpanEvent], spanStart: UInt64) throws {
            bytes.append(UInt8(ascii: "["))
            for (index, event) in events.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "["))
                integer(Int64(bitPattern: event.timeUnixNano &- spanStart))
                bytes.append(UInt8(ascii: ","))
                string(event.name)
                if !event.attributes.isEmpty || event.droppedAttributesCount > 0 {
                    bytes.append(UInt8(ascii: ","))
                    try attributes(event.attributes)
                }
                if event.droppedAttributesCount > 0 {
                    bytes.append(UInt8(ascii: ","))
                    integer(Int64(event.droppedAttributesCount))
                }
                bytes.append(UInt8(ascii: "]"))
            }
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func links(_ links: [SpanLink]) throws {
            bytes.append(UInt8(ascii: "["))
            for (index, link) in links.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "["))
                string(link.traceID.hex)
                bytes.append(UInt8(ascii: ","))
                string(link.spanID.hex)
                bytes.append(UInt8(ascii: ","))
                string(link.traceState)
                bytes.append(UInt8(ascii: ","))
                try attributes(link.attributes)
                bytes.append(UInt8(ascii: ","))
                integer(Int64(link.droppedAttributesCount))
                bytes.append(UInt8(ascii: ","))
                integer(Int64(link.flags))
                bytes.append(UInt8(ascii: "]"))
            }
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func value(_ value: AttributeValue) {
            switch value {
            case .string(let text): string(text)
            case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            case .int(let number): integer(number)
            case .double(let number):
                if number.isNaN { bytes.append(contentsOf: #"{"double":"NaN"}"#.utf8) }
                else if number.isInfinite { bytes.append(contentsOf: (number < 0 ? #"{"double":"-Infinity"}"# : #"{"double":"Infinity"}"#).utf8) }
                else {
                    // Swift prints the shortest text that reads back as the same double, always with `.` or `e`.
                    bytes.append(contentsOf: number.description.utf8)
                }
            case .bytes(let data):
                bytes.append(contentsOf: #"{"bytes":""#.utf8)
                bytes.append(contentsOf: Data(data).base64EncodedString().utf8)
                bytes.append(contentsOf: "\"}".utf8)
            case .array(let values):
                bytes.append(UInt8(ascii: "["))
                for (index, element) in values.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    self.value(element)
                }
                bytes.append(UInt8(ascii: "]"))
            case .keyValueList(let pairs):
                bytes.append(contentsOf: #"{"kvlist":{"#.utf8)
                for (index, pair) in pairs.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    string(pair.key)
                    bytes.append(UInt8(ascii: ":"))
                    self.value(pair.value)
                }
                bytes.append(contentsOf: "}}".utf8)
            case .empty: bytes.append(contentsOf: "null".utf8)
            }
        }

        /// Digits straight into the buffer: every key id and most values are integers.
        private mutating func integer(_ number: Int64) {
            if number < 0 { bytes.append(UInt8(ascii: "-")) }
            let magnitude = number.magnitude
            var place: UInt64 = 1
            while magnitude / place >= 10 { place *= 10 }
            repeat {
                bytes.append(UInt8(ascii: "0") + UInt8(magnitude / place % 10))
                place /= 10
            } while place > 0
        }

        private mutating func string(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    // MARK: Reading

    /// Maps attribute key ids back to keys while reading.
    typealias KeyNames = [Int64: String]

    static func attributes(_ text: String?, keys: KeyNames) throws -> [Attribute] {
        guard let text, text != "{}" else { return [] }
        return try attributes(from: Parser.parse(text), keys: keys)
    }

    /// Only the attributes whose key ids are in `keeping`, the others skipped without being
    /// decoded: a search that tests one attribute reads a span for a fraction of the cost.
    static func attributes(_ text: String?, keys: KeyNames, keeping: Set<Int64>) throws -> [Attribute] {
        guard let text, text != "{}", !keeping.isEmpty else { return [] }
        return try Parser.members(of: text, keeping: keeping).map { id, value in
            guard let key = keys[id] else { throw CompactJSONError.unknownKey(String(id)) }
            return Attribute(key, try attributeValue(value))
        }
    }

    static func events(_ text: String?, spanStart: UInt64, keys: KeyNames) throws -> [SpanEvent] {
        guard let text, text != "[]" else { return [] }
        guard case .array(let items) = try Parser.parse(text) else { throw CompactJSONError.unexpectedShape }
        return try items.map { item in
            guard case .array(let fields) = item, fields.count >= 2, case .int(let offset) = fields[0], case .string(let name) = fields[1] else {
                throw CompactJSONError.unexpectedShape
            }
            let attributes = fields.count > 2 ? try attributes(from: fields[2], keys: keys) : []
            let dropped = fields.count > 3 ? try count(fields[3]) : 0
            return SpanEvent(timeUnixNano: spanStart &+ UInt64(bitPattern: offset), name: name, attributes: attributes, droppedAttributesCount: dropped)
        }
    }

    static func links(_ text: String?, keys: KeyNames) throws -> [SpanLink] {
        guard let text, text != "[]" else { return [] }
        guard case .array(let items) = try Parser.parse(text) else { throw CompactJSONError.unexpectedShape }
        return try items.map { item in
            guard case .array(let fields) = item, fields.count == 6, case .string(let traceHex) = fields[0], case .string(let spanHex) = fields[1],
                  case .string(let state) = fields[2], let traceID = TraceID(hex: traceHex), let spanID = SpanID(hex: spanHex)
            else { throw CompactJSONError.unexpectedShape }
            return SpanLink(traceID: traceID, spanID: spanID, traceState: state, attributes: try attributes(from: fields[3], keys: keys),
                            droppedAttributesCount: try count(fields[4]), flags: try count(fields[5]))
        }
    }

    private static func count(_ value: Parsed) throws -> UInt32 {
        guard case .int(let number) = value, let count = UInt32(exactly: number) else { throw CompactJSONError.unexpectedShape }
        return count
    }

    private static func attributes(from parsed: Parsed, keys: KeyNames) throws -> [Attribute] {
        guard case .object(let members) = parsed else { throw CompactJSONError.unexpectedShape }
        return try members.map { name, value in
            guard let id = Int64(name), let key = keys[id] else { throw CompactJSONError.unknownKey(name) }
            return Attribute(key, try attributeValue(value))
        }
    }

    static func attributeValue(_ parsed: Parsed) throws -> AttributeValue {
        switch parsed {
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .empty
        case .array(let values): return .array(try values.map(attributeValue))
        case .object(let members):
            guard members.count == 1 else { throw CompactJSONError.unexpectedShape }
            switch (members[0].0, members[0].1) {
            case ("bytes", .string(let base64)):
                guard let data = Data(base64Encoded: base64) else { throw CompactJSONError.unexpectedShape }
                return .bytes(Array(data))
            case ("double", .string(let text)):
                return .double(text == "NaN" ? .nan : text.hasPrefix("-") ? -.infinity : .infinity)
            case ("kvlist", .object(let pairs)):
                return .keyValueList(try pairs.map { Attribute($0.0, try attributeValue($0.1)) })
            default: throw CompactJSONError.unexpectedShape
            }
        }
    }

    indirect enum Parsed {
        case string(String), int(Int64), double(Double), bool(Bool), null
        case array([Parsed])
        case object([(String, Parsed)])
    }

    /// A small JSON reader for the shapes above, about ten times faster than `JSONDecoder` here.
    struct Parser {
        private let bytes: UnsafeBufferPointer<UInt8>
        private var index = 0

        private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        static func parse(_ text: String) throws -> Parsed {
            var text = text
            return try text.withUTF8 { buffer in
                var parser = Parser(bytes: buffer)
                let value = try parser.value(depth: 0)
                parser.skipSpace()
                guard parser.index == buffer.count else { throw CompactJSONError.malformed(at: parser.index) }
                return value
            }
        }

        /// The members of a top-level object keyed by key ids whose id is in `keeping`.
        static func members(of text: String, keeping: Set<Int64>) throws -> [(Int64, Parsed)] {
            var text = text
            return try text.withUTF8 { buffer in
                var parser = Parser(bytes: buffer)
                return try parser.keptMembers(keeping)
            }
        }

        private mutating func keptMembers(_ keeping: Set<Int64>) throws -> [(Int64, Parsed)] {
            try expect(UInt8(ascii: "{"))
            var kept: [(Int64, Parsed)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return kept }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw CompactJSONError.malformed(at: index) }
                // Keys are key ids: read as a number in place, no string made.
                index += 1
                var id: Int64 = 0
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    id = id &* 10 &+ Int64(bytes[index] - 48)
                    index += 1
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw CompactJSONError.malformed(at: index) }
                index += 1
                try expect(UInt8(ascii: ":"))
                if keeping.contains(id) { kept.append((id, try value(depth: 1))) } else { try skipValue() }
                skipSpace()
                guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
                if bytes[index] == UInt8(ascii: "}") { return kept }
                try expect(UInt8(ascii: ","))
            }
        }

        /// Moves past one value without building it: strings (escapes included), nested arrays
        /// and objects by their brackets, numbers and literals up to the next delimiter.
        private mutating func skipValue() throws {
            skipSpace()
            var depth = 0
            repeat {
                guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
                    index += 1
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    guard depth > 0 else { throw CompactJSONError.malformed(at: index) }
                    depth -= 1
                    index += 1
                case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09:
                    index += 1
                default:
                    while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
                }
            } while depth > 0
        }

        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        private mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw CompactJSONError.malformed(at: index) }
            index += 1
        }

        private mutating func value(depth: Int) throws -> Parsed {
            // Deeper than any sender's value can be after OTLP decoding bounds it; guards the stack.
            guard depth < 512 else { throw CompactJSONError.malformed(at: index) }
            skipSpace()
            guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
            switch bytes[index] {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                index += 1
                var values: [Parsed] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
                while true {
                    values.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, Parsed)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw CompactJSONError.malformed(at: index) }
                    let name = try string()
                    try expect(UInt8(ascii: ":"))
                    members.append((name, try value(depth: depth + 1)))
                    skipSpace()
                    guard index < bytes.count else { throw CompactJSONError.malformed(at: index) }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        private mutating func literal(_ word: StaticString) throws {
            let length = word.utf8CodeUnitCount
            guard index + length <= bytes.count,
                  memcmp(bytes.baseAddress! + index, word.utf8Start, length) == 0 else { throw CompactJSONError.malformed(at: index) }
            index += length
        }

        private mutating func number() throws -> Parsed {
            let start = index
            var isInteger = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { isInteger = false }
                else if !(byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || (48...57).contains(byte)) { break }
                index += 1
            }
            guard index > start else { throw CompactJSONError.malformed(at: start) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let number = Int64(text) { return .int(number) }
            guard let number = Double(text) else { throw CompactJSONError.malformed(at: start) }
            return .double(number)
        }

        private mutating func string() throws -> String {
            index += 1
            let start = index
            // The common case: no escapes, the bytes are the string.
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { throw CompactJSONError.malformed(at: start) }
            if bytes[index] == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
                guard index + 1 < bytes.count else { break }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    out.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
                default: out.append(escaped)
                }
            }
            throw CompactJSONError.malformed(at: start)
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw CompactJSONError.malformed(at: index) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let nibble: UInt32 = switch byte {
                case 48...57: UInt32(byte - 48)
                case 97...102: UInt32(byte - 87)
                case 65...70: UInt32(byte - 55)
                default: throw CompactJSONError.malformed(at: index)
                }
                value = value << 4 | nibble
                index += 1
            }
            return value
        }
    }
}

enum CompactJSONError: Error, Equatable, CustomStringConvertible {
    case malformed(at: Int)
    case unexpectedShape
    case unknownKey(String)

    var description: String {
        switch self {
        case .malformed(let offset): "the database is damaged: a span's JSON is malformed at byte \(offset)"
        case .unexpectedShape: "the database is damaged: a span's JSON is not in the shape trace writes"
        case .unknownKey(let key): "the database is damaged: attribute key \(key) is not in attribute_keys"
        }
    }
}
