import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import OTLP
import OTLPGRPC
import OTLPHTTP
import ServiceLifecycle
import Synchronization
import Testing
import TraceFixtures
import TraceIngest
import TraceModel
import TraceStore

/// A full disk under both receivers, on a tmpfs of a few megabytes: refusals senders retry
/// (HTTP 503 with Retry-After, gRPC UNAVAILABLE), said once when it starts and once when it ends,
/// every acknowledged span kept, and taking requests again once space is freed, without a restart.
@Suite(.enabled(if: SmallFilesystem.available, "needs to mount a small tmpfs (root or CAP_SYS_ADMIN), which this machine does not allow"))
struct FullDiskTests {
    /// One trace, padded with 20 KB of attributes so a few dozen fill what is left.
    func request(_ id: UInt64) -> ExportTraceServiceRequest {
        let spans = sampleTrace(id: id, start: 1_700_000_000_000_000_000 + id * 1_000_000_000).map { span in
            var padded = span
            padded.attributes.append(Attribute("padding", .string(String(repeating: "x", count: 7_000) + String(id))))
            return padded
        }
        return ExportTraceServiceRequest(spans: spans)
    }

    @Test func aFullDiskIsRefusedAsRetryableAndLosesNothing() async throws {
        let disk = try SmallFilesystem(bytes: 3 << 20)
        defer { disk.unmount() }
        let path = disk.directory.appendingPathComponent("full.db").path
        let store = try TraceStore.openForWriting(path: path)
        let events = Mutex<[StorageEvent]>([])
        let ingestor = Ingestor(store: store, onStorage: { event in events.withLock { $0.append(event) } })
        var logger = Logger(label: "full-disk-test")
        logger.logLevel = .error
        let (httpPorts, httpContinuation) = AsyncStream.makeStream(of: Int.self)
        let (grpcPorts, grpcContinuation) = AsyncStream.makeStream(of: Int.self)
        let services: [any Service] = [
            OTLPReceiver.buildApplication(configuration: .init(port: 0), ingestor: ingestor, logger: logger, onServerRunning: { httpContinuation.yield($0) }),
            OTLPGRPCReceiver(configuration: .init(port: 0), ingestor: ingestor, onServerRunning: { grpcContinuation.yield($0) }),
        ]
        // Leave about 400 KB: the filler is what the test frees later.
        let filler = disk.directory.appendingPathComponent("filler")
        try Data(count: max(0, disk.freeBytes - 400_000)).write(to: filler)

        let (acknowledged, refusal, grpcCode) = try await withServices(services, reportingPortTo: httpPorts, logger: logger) { port in
            let url = "http://127.0.0.1:\(port)/v1/traces"
            var acknowledged: [UInt64] = []
            var refusal: PostResult?
            for id in UInt64(1)...200 {
                let response = try await post(url, body: try request(id).serializedData(), contentType: "application/x-protobuf")
                if response.status == 200 { acknowledged.append(id); continue }
                refusal = response
                break
            }
            var grpcIterator = grpcPorts.makeAsyncIterator()
            let grpcPort = await grpcIterator.next() ?? 0
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
            let grpcCode = try await withGRPCClient(transport: transport) { client in
                try await exportRaw(try request(1_000).serializedBytes(), client: client)
            }
            // Space freed: the same receivers take requests again.
            try FileManager.default.removeItem(at: filler)
            let again = try await post(url, body: try request(2_000).serializedData(), contentType: "application/x-protobuf")
            #expect(again.status == 200, "taking requests again once there is room")
            return (acknowledged + (again.status == 200 ? [2_000] : []), refusal, grpcCode)
        }

        let refused = try #require(refusal, "the disk never filled")
        #expect(refused.status == 503 && refused.retryAfter == "5")
        #expect(try Google_Rpc_Status(serializedBytes: refused.body).message == "cannot store the request now: the disk is full; retry later")
        #expect(grpcCode == .unavailable, "gRPC exporters retry UNAVAILABLE")
        #expect(acknowledged.count > 3, "some requests went in before the disk filled")
        #expect(events.withLock { $0 } == [.unavailable(reason: "the disk is full"), .recovered(turnedAway: 2)], "told once each way")

        let reader = try TraceStore.openForReading(path: path)
        let stored = try reader.traces(withIDs: acknowledged.map { TraceID(high: $0, low: 0xABCDEF) }, details: .none)
        #expect(stored.count == acknowledged.count, "every acknowledged trace is there")
        #expect(try sqlite(path, "PRAGMA integrity_check") == "ok")
    }
}
