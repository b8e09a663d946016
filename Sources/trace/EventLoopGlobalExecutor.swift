import Atomics
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Swift concurrency's global executor on NIO's singleton event loops, for the demo pair and the receivers:
/// their tasks then run on the threads that do their I/O, with no hop to another pool and back.
///
/// No supported mechanism measured as fast (README, "Swift tasks on the event loops"): a task
/// executor preference (SE-0417) around the command ran no faster than the pool, and NIO's own takeover (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`)
/// runs each job as the event loop's serial executor: every nonisolated async function (the whole
/// Hummingbird responder chain) then hops "back" to the generic executor on entry and after each
/// call, which re-enqueues the task on the loop: 88 jobs a request in the demo. Run as the generic
/// executor, as the platform's global executor runs them, a request takes 4.
enum EventLoopGlobalExecutor {
    private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// The runtime's "no particular executor" (`SerialExecutorRef::generic()`: both words zero),
    /// which the platform's global executor runs its jobs as.
    private static let generic = unsafeBitCast((0, 0) as (Int, Int), to: UnownedSerialExecutor.self)

    /// The Swift runtimes whose hook is known to have this signature and whose generic executor
    /// is two zero words: the version of the runtime loaded, not of the compiler that built trace.
    static let knownRuntimes = (low: (major: 6, minor: 0), high: (major: 6, minor: 3))

    /// Whether the runtime this process loaded is one of `knownRuntimes`.
    static var runtimeIsKnown: Bool {
        let version = _SwiftStdlibVersion.current._value
        let loaded = (major: Int(version >> 16), minor: Int(version >> 8 & 0xFF))
        return loaded >= knownRuntimes.low && loaded <= knownRuntimes.high
    }

    /// Installs the hook, once: unless the runtime is not a known one, has no hook, or another
    /// is installed (compared and exchanged atomically, so two installs cannot both win). Call it
    /// on the main thread before the first task starts; where it returns false the pool stays.
    static func install() -> Bool {
        guard runtimeIsKnown, MemoryLayout<UnownedSerialExecutor>.size == MemoryLayout<(Int, Int)>.size,
              let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        // The runtime's storage, borrowed: nothing to destroy.
        let hook = UnsafeAtomic<UnsafeRawPointer?>(at: symbol.assumingMemoryBound(to: UnsafeRawPointer?.AtomicRepresentation.self))
        return withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { storage in
            storage.baseAddress!.initialize(to: { job, _ in EventLoopGlobalExecutor.enqueue(job) })
            let function = UnsafeRawPointer(storage.baseAddress!).load(as: UnsafeRawPointer?.self)
            return hook.compareExchange(expected: nil, desired: function, ordering: .acquiringAndReleasing).exchanged
        }
    }

    /// Whether a new task runs on one of the loops, as it does once the hook is engaged.
    static func isEngaged() async -> Bool {
        await Task { MultiThreadedEventLoopGroup.currentEventLoop != nil }.value
    }

    private static func enqueue(_ job: UnownedJob) {
        // `any()` is the loop this thread runs, if it runs one: a task stays where it is.
        MultiThreadedEventLoopGroup.singleton.any().execute { job.runSynchronously(on: generic) }
    }
}
