import ArgumentParser
import TraceModel
import TraceStore
import TraceViews

/// A trace id as typed: the full 32 hex digits or a unique prefix of them (or a 64-bit Zipkin id).
enum TraceIDPrefix {
    static func validate(_ text: String) throws {
        let isHex = text.utf8.allSatisfy { UInt8(ascii: "0") <= $0 && $0 <= UInt8(ascii: "9") || UInt8(ascii: "a") <= ($0 | 0x20) && ($0 | 0x20) <= UInt8(ascii: "f") }
        guard (1...32).contains(text.utf8.count), isHex else {
            throw ValidationError("'\(TerminalText.escaped(text))' is not a trace id: expected 1 to 32 hex digits")
        }
    }

    /// The one stored trace the prefix names; unknown or ambiguous prefixes are errors that say what to do.
    static func resolve(_ prefix: String, in store: TraceStore, details: SpanDetails = .all) throws -> Trace {
        let id = try resolveID(prefix, in: store)
        guard let trace = try store.traces(withIDs: [id], details: details).first else { throw UserFacingError("trace \(id.hex) disappeared while reading") }
        return trace
    }

    /// The id of the one stored trace the prefix names; with `allowingUnstored`, a full id is
    /// taken as it is even when no span of it is stored (its log records may be).
    static func resolveID(_ prefix: String, in store: TraceStore, allowingUnstored: Bool = false) throws -> TraceID {
        let matches = try store.traceIDs(withPrefix: prefix, limit: 6)
        if matches.isEmpty, allowingUnstored, prefix.count == 32, let id = TraceID(hex: prefix) { return id }
        guard let id = matches.first else {
            throw UserFacingError("no trace \(prefix.count == 32 ? "" : "starting with ")\(prefix) in \(store.path) (see `trace list`)")
        }
        if matches.count > 1, prefix.count < 32 {
            let shown = matches.prefix(5).map(\.hex).joined(separator: ", ")
            throw UserFacingError("'\(prefix)' matches \(matches.count > 5 ? "more than 5" : "\(matches.count)") traces: \(shown); give more digits")
        }
        return id
    }
}
