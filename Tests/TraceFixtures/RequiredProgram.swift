import Foundation

/// A program the tests run as a user would that is not on PATH: the failure names the package, so
/// a missing prerequisite reads as one line rather than as an unexplained launch error.
public struct MissingProgram: Error, CustomStringConvertible {
    public let name: String
    public let package: String

    public init(name: String, package: String) {
        self.name = name
        self.package = package
    }

    public var description: String {
        "\(name) is not installed; these tests run it as a user would (sudo apt-get install \(package), one of the README's prerequisites)"
    }
}

/// The full path of `name` on PATH.
public func requiredProgram(_ name: String, package: String? = nil) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw MissingProgram(name: name, package: package ?? name)
}
