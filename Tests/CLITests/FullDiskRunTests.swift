import Foundation
import Testing
import TraceFixtures

/// `trace run` on a disk that fills: it stops sending, says why in one line, and what it stored is whole.
@Suite(.enabled(if: SmallFilesystem.available, "needs to mount a small tmpfs (root or CAP_SYS_ADMIN), which this machine does not allow"))
struct FullDiskRunTests {
    @Test func runStopsSendingWhenTheDiskIsFull() throws {
        let disk = try SmallFilesystem(bytes: 2 << 20)
        defer { disk.unmount() }
        let path = disk.directory.appendingPathComponent("run.db").path
        let run = try TraceBinary.run(["run", "--requests", "50000", "--db", path], in: disk.directory)
        #expect(run.status == 1)
        let last = try #require(run.stderr.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("trace: error: cannot store: the disk is full; stopped sending after ") && last.hasSuffix(" of 50000 requests (what was stored before then is kept)"), "\(run.stderr)")
        let sent = Int(last.split(separator: " ").dropFirst(11).first ?? "") ?? 50_000
        #expect(sent < 50_000, "it stopped early")
        #expect(!run.stderr.contains("CancellationError"), "nothing but the one line")
        #expect(try sqlite(path, "PRAGMA integrity_check") == "ok")
        #expect((Int(try sqlite(path, "SELECT count(*) FROM trace")) ?? 0) > 0)
    }
}
