import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Swift concurrency's global executor on NIO's singleton event loops, for the demo pair and the receivers:
/// their tasks then run on the threads that do their I/O, with no hop to another pool and back.
///
/// NIO's own takeover (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`)
/// runs each job as the event loop's serial executor. Every nonisolated async function (the whole
/// Hummingbird responder chain) then hops "back" to the generic executor on entry and after each
/// call, which re-enqueues the task on the loop: 88 jobs a request in the demo. Run as the generic
/// executor, as the platform's global executor runs them, a request takes 4.
enum EventLoopGlobalExecutor {
    private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// The runtime's "no particular executor" (`SerialExecutorRef::generic()`: both words zero).
    private static let generic = unsafeBitCast((0, 0) as (Int, Int), to: UnownedSerialExecutor.self)

    /// Installs the hook, unless the runtime has none or another is installed. Call it once, on
    /// the main thread, before the first task starts. Only for the compilers whose runtime's hook
    /// is known to have this signature (NIO's takeover has the same bound); others keep the pool.
    static func install() -> Bool {
        #if compiler(>=6.6)
        return false
        #else
        guard MemoryLayout<UnownedSerialExecutor>.size == MemoryLayout<(Int, Int)>.size,
              let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        let hook = symbol.assumingMemoryBound(to: UnsafeRawPointer?.self)
        guard hook.pointee == nil else { return false }
        withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { storage in
            storage.baseAddress!.initialize(to: { job, _ in EventLoopGlobalExecutor.enqueue(job) })
            hook.pointee = UnsafeRawPointer(storage.baseAddress!).load(as: UnsafeRawPointer?.self)
        }
        return true
        #endif
    }

    private static func enqueue(_ job: UnownedJob) {
        // `any()` is the loop this thread runs, if it runs one: a task stays where it is.
        MultiThreadedEventLoopGroup.singleton.any().execute { job.runSynchronously(on: generic) }
    }
}
