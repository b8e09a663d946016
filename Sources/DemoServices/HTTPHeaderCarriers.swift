import HTTPTypes
import Instrumentation

/// Reads W3C trace context from incoming Hummingbird request headers, as Trace Context level 1
/// asks of a receiver: a newer `traceparent` version is read as version 00, and a `tracestate`
/// that does not parse is dropped on its own, never taking a valid `traceparent` with it.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        guard let value = HTTPField.Name(key).flatMap({ carrier[$0] }) else { return nil }
        switch key {
        case "traceparent": return W3CTraceContextHeaders.traceparent(value)
        case "tracestate": return W3CTraceContextHeaders.tracestate(value)
        default: return value
        }
    }
}

/// Writes W3C trace context into the header list of an outgoing request.
struct HeaderListInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}

enum W3CTraceContextHeaders {
    /// A `traceparent` of a version after 00 (not `ff`) as the version 00 header it starts with,
    /// keeping only the sampled flag; the spec's rule for a receiver that knows version 00 only.
    static func traceparent(_ value: String) -> String {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), let version = UInt8(String(decoding: bytes[0..<2], as: UTF8.self), radix: 16),
              version != 0, version != 0xFF, bytes[0..<2].allSatisfy(isLowerHex),
              bytes.count == 55 || bytes[55] == UInt8(ascii: "-"),
              let flags = UInt8(String(decoding: bytes[53..<55], as: UTF8.self), radix: 16), bytes[53..<55].allSatisfy(isLowerHex)
        else { return value }
        return "00" + String(decoding: bytes[2..<53], as: UTF8.self) + (flags & 1 == 1 ? "01" : "00")
    }

    /// The `tracestate` list if every member is well formed and there are at most 32; otherwise
    /// nil, so the trace continues without it.
    static func tracestate(_ value: String) -> String? {
        let members = value.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingPrefix(while: isBlank) }
            .map { $0[..<($0.lastIndex { !isBlank($0) }.map($0.index(after:)) ?? $0.startIndex)] }
            .filter { !$0.isEmpty }
        guard members.count <= 32, members.allSatisfy(isValidMember) else { return nil }
        var keys = Set<Substring>()
        guard members.allSatisfy({ keys.insert($0.prefix { $0 != "=" }).inserted }) else { return nil }
        return members.joined(separator: ",")
    }

    private static func isValidMember(_ member: Substring) -> Bool {
        guard let equals = member.firstIndex(of: "=") else { return false }
        let key = member[..<equals].utf8, value = member[member.index(after: equals)...].utf8
        return isValidKey(Substring(key)) && !value.isEmpty && value.count <= 256
            && value.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
            && value.last != UInt8(ascii: " ")
    }

    /// `lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`, or `tenant@system` (241 and 14 at most).
    private static func isValidKey(_ key: Substring) -> Bool {
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/")].contains(byte)
        }
        let parts = key.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let first = parts[0].first else { return false }
            return parts[0].count <= 256 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) && parts[0].allSatisfy(isKeyCharacter)
        case 2:
            let (tenant, system) = (parts[0], parts[1])
            guard let tenantFirst = tenant.first, let systemFirst = system.first else { return false }
            return tenant.count <= 241 && system.count <= 14
                && ((UInt8(ascii: "a")...UInt8(ascii: "z")).contains(tenantFirst) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(tenantFirst))
                && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(systemFirst)
                && tenant.allSatisfy(isKeyCharacter) && system.allSatisfy(isKeyCharacter)
        default:
            return false
        }
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }
}
