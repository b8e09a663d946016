import ArgumentParser

/// A port to listen on, or `off` to not listen at all.
enum ListenPort: ExpressibleByArgument, Equatable, CustomStringConvertible {
    case port(Int)
    case off

    init?(argument: String) {
        if argument == "off" { self = .off; return }
        guard let number = Int(argument), (0...65535).contains(number) else { return nil }
        self = .port(number)
    }

    var number: Int? { if case .port(let number) = self { number } else { nil } }
    var description: String { number.map(String.init) ?? "off" }
    var defaultValueDescription: String { description }
}
