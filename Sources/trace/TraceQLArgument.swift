import ArgumentParser
import TraceQL
import TraceSearch
import TraceStore

/// A TraceQL query as typed on the command line.
enum TraceQLArgument {
    static let help = "Only traces matching this TraceQL query, e.g. '{ status = error }' (see `man trace` or the README)."

    /// The parsed query; a mistake is a usage error (exit 64) showing the query with a caret under it.
    static func parse(_ text: String) throws -> TraceQLQuery {
        do {
            return try TraceQLQuery(text)
        } catch {
            throw UserFacingError("query, \(error.description)", exitCode: ExitCode.validationFailure.rawValue, context: error.caretLines)
        }
    }

    /// `base` narrowed to the traces the query matches (or `base` itself without a query). On
    /// its caller's actor, so a plain `trace list` never leaves the main thread.
    nonisolated(nonsending) static func selection(_ base: TraceQuery, query: TraceQLQuery?, in store: TraceStore) async throws -> TraceQuery {
        guard let query else { return base }
        var selection = base
        selection.within = try await TraceSearch(query, in: store).matchingTraces(among: base)
        return selection
    }
}
