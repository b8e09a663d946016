import Foundation
import Testing
import TraceFixtures
import TraceIngest
import TraceModel
import TraceStore

/// The commit queue in front of the store: many requests at once, each told what happened to its own spans.
@Suite struct StoreCommitterTests {
    @Test func concurrentRequestsEachGetTheirOwnOutcome() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("c.db").path)
        let committer = StoreCommitter(store: store, maxRowsPerCommit: 20)
        // 60 requests of 3 spans; every third repeats the request before it, as a retrying exporter would.
        let outcomes = try await withThrowingTaskGroup(of: (Int, InsertOutcome).self) { group in
            for index in 0..<60 {
                let id = UInt64(index % 3 == 2 ? index : index + 1)
                group.addTask { (index, try await committer.commit(store.prepare(sampleTrace(id: id)))) }
            }
            return try await group.reduce(into: [Int: InsertOutcome]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 60)
        #expect(outcomes.values.reduce(0) { $0 + $1.inserted } == 120)
        #expect(outcomes.values.reduce(0) { $0 + $1.duplicates } == 60)
        #expect(outcomes.values.allSatisfy { $0.inserted + $0.duplicates == 3 && ($0.inserted == 0 || $0.inserted == 3) })
        #expect(try store.totals() == StoreTotals(traces: 40, spans: 120))
        // Requests that waited while another was written went in together, at most 20 spans a commit.
        let transactions = await committer.transactions
        #expect(transactions < 60 && transactions >= 9)
    }
}
