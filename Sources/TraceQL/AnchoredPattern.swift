import Foundation

/// A regular expression that must match the whole text, as TraceQL's `=~` does.
public final class AnchoredPattern: @unchecked Sendable, Equatable {
    public let pattern: String
    private let expression: NSRegularExpression

    init(_ pattern: String) throws(PatternError) {
        self.pattern = pattern
        do {
            expression = try NSRegularExpression(pattern: "^(?:\(pattern))$", options: [.dotMatchesLineSeparators])
        } catch {
            // Foundation's error only says "invalid"; the standard library's parser says why.
            var reason = "not a valid pattern"
            do { _ = try Regex(pattern) } catch { reason = "\(error)" }
            throw PatternError(reason: reason)
        }
    }

    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    public static func == (a: AnchoredPattern, b: AnchoredPattern) -> Bool { a.pattern == b.pattern }

    struct PatternError: Error {
        var reason: String
    }
}

extension Error {
    var reason: String { (self as? AnchoredPattern.PatternError)?.reason ?? "\(self)" }
}
