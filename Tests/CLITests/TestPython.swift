import Foundation
import Glibc
import TraceFixtures

/// The tests' own Python with the OpenTelemetry SDK: a virtual environment under .build/, made on
/// first use from Tests/python-requirements.txt and reused until that file changes, so a fresh
/// clone's `swift test` needs nothing installed by hand and never touches the system's packages.
enum TestPython {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized
    static let requirements = packageRoot.appendingPathComponent("Tests/python-requirements.txt")
    static let environment = packageRoot.appendingPathComponent(".build/test-python")

    /// Made once per test process; a failure is kept and reported by every test that needs it.
    private static let prepared: Result<URL, SetupFailure> = Result { try prepare() }
        .mapError { $0 as? SetupFailure ?? SetupFailure(reason: "\($0)") }

    /// The environment's interpreter, or an error saying in one line what to run by hand.
    static func interpreter() throws -> URL { try prepared.get() }

    struct SetupFailure: Error, CustomStringConvertible {
        let reason: String
        var description: String {
            "the OpenTelemetry SDK for Python could not be installed into .build/test-python (\(reason)); "
                + "with network access, run: python3 -m venv .build/test-python && .build/test-python/bin/pip install -r Tests/python-requirements.txt"
        }
    }

    private static func prepare() throws -> URL {
        let wanted = try Data(contentsOf: requirements)
        let python = environment.appendingPathComponent("bin/python")
        let stamp = environment.appendingPathComponent("installed-requirements.txt")
        try FileManager.default.createDirectory(at: environment.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Another test process (swift test --parallel) may be making the same environment.
        let lock = open(environment.path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw SetupFailure(reason: "cannot create \(environment.path).lock") }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        if FileManager.default.isExecutableFile(atPath: python.path), (try? Data(contentsOf: stamp)) == wanted { return python }

        try? FileManager.default.removeItem(at: environment)
        try run(requiredProgram("python3"), ["-m", "venv", environment.path], step: "python3 -m venv")
        try run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
                         "--require-virtualenv", "-r", requirements.path], step: "pip install")
        try wanted.write(to: stamp)
        return python
    }

    private static func run(_ program: URL, _ arguments: [String], step: String) throws {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        let result = try TraceBinary.runToCompletion(process, stdin: nil)
        guard result.status == 0 else {
            let said = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
            throw SetupFailure(reason: "\(step) failed: \(said)")
        }
    }
}
