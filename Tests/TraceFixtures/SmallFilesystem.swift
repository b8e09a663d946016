import Foundation

/// A tmpfs of a few megabytes mounted for one test, to run out of space on purpose. Mounting
/// needs root (or CAP_SYS_ADMIN); `available` says whether this machine allows it.
public final class SmallFilesystem {
    public let directory: URL

    /// Whether a tmpfs can be mounted here, found by mounting (and unmounting) one once.
    public static let available: Bool = {
        guard let probe = try? SmallFilesystem(bytes: 1 << 20) else { return false }
        probe.unmount()
        return true
    }()

    public init(bytes: Int) throws {
        let base = try makeTemporaryDirectory()
        directory = base.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", directory.path]) else {
            try? FileManager.default.removeItem(at: base)
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    /// Bytes still free on it.
    public var freeBytes: Int {
        ((try? FileManager.default.attributesOfFileSystem(forPath: directory.path))?[.systemFreeSize] as? NSNumber)?.intValue ?? 0
    }

    public func unmount() {
        _ = Self.run("/bin/umount", [directory.path])
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    private static func run(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
