import GRPCCore
import NIOCore

/// The socket error under gRPC's wrapping of it, if that is what went wrong: what the gRPC
/// receiver and the gRPC export client each turn into one line for the user.
public func socketError(under error: any Error) -> IOError? {
    if let error = error as? IOError { return error }
    if let error = error as? RuntimeError, let cause = error.cause { return socketError(under: cause) }
    if let error = error as? RPCError, let cause = error.cause { return socketError(under: cause) }
    return nil
}
