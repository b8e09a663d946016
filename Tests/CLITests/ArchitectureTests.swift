import Foundation
import Testing

/// The README's architecture table is the one `scripts/architecture.py` makes from Package.swift:
/// every target, what it uses, and the `///` lines above it. Fails when either moves alone.
@Suite struct ArchitectureTests {
    @Test func theREADMEsArchitectureIsThePackages() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPython.packageRoot.appendingPathComponent("scripts/architecture.py").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
