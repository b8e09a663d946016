import Foundation

/// The one human duration format used everywhere: `842ns`, `842µs`, `12.3ms`, `1.24s`, `2m05s`.
/// Three significant digits, so columns stay narrow and comparable.
public enum DurationFormat {
    public static func string(nanos: UInt64) -> String {
        switch nanos {
        case ..<1_000: return "\(nanos)ns"
        case ..<1_000_000: return significant(nanos, per: 1_000) + "µs"
        case ..<1_000_000_000: return significant(nanos, per: 1_000_000) + "ms"
        case ..<60_000_000_000: return significant(nanos, per: 1_000_000_000) + "s"
        default:
            let totalSeconds = nanos / 1_000_000_000
            let (minutes, seconds) = totalSeconds.quotientAndRemainder(dividingBy: 60)
            if minutes < 60 { return "\(minutes)m" + (seconds < 10 ? "0" : "") + "\(seconds)s" }
            let (hours, rest) = minutes.quotientAndRemainder(dividingBy: 60)
            return "\(hours)h" + (rest < 10 ? "0" : "") + "\(rest)m"
        }
    }

    public static func string(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return string(nanos: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    public static func string(nanos: Int64) -> String {
        nanos < 0 ? "-" + string(nanos: UInt64(-nanos)) : string(nanos: UInt64(nanos))
    }

    /// Parses what `string(nanos:)` prints and the usual variants: `250ms`, `1.5s`, `300us`, `2m`, `1h30m`, `0`.
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return 0 }
        var total: Double = 0
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let scale = units[String(unit)] else { return nil }
            total += value * scale
        }
        guard total.isFinite, total < 1.8e19 else { return nil }
        return UInt64(total.rounded())
    }

    private static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "min": 60e9, "h": 3600e9, "d": 86_400e9,
    ]

    /// `nanos / unit` to three significant digits (two decimals at most, trailing zeros dropped),
    /// in integers rather than with Foundation's `String(format:)`, whose first call sets up a
    /// locale (it showed in a profile of `trace list`). Halves round up.
    private static func significant(_ nanos: UInt64, per unit: UInt64) -> String {
        let scale: UInt64 = nanos >= 100 * unit ? 1 : nanos >= 10 * unit ? 10 : 100
        let (quotient, remainder) = (nanos * scale).quotientAndRemainder(dividingBy: unit)
        let rounded = quotient + (remainder * 2 >= unit ? 1 : 0)
        var fraction = rounded % scale
        guard fraction != 0 else { return String(rounded / scale) }
        var digits = scale == 100 && fraction < 10 ? "0" : ""
        while fraction % 10 == 0 { fraction /= 10 }
        digits += String(fraction)
        return String(rounded / scale) + "." + digits
    }
}
