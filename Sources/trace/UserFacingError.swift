import Foundation
import NIOCore
import TraceStore

/// A failure explained in one line, with the exit code that goes with it.
struct UserFacingError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1

    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    /// Turns errors from below (store, sockets) into a sentence, naming what was being done.
    static func wrapping(_ error: any Error, listeningOn address: String? = nil) -> UserFacingError {
        if let error = error as? UserFacingError { return error }
        if let error = error as? TraceStoreError { return UserFacingError(error.description) }
        if let error = error as? IOError, let address {
            if error.errnoCode == EADDRINUSE { return UserFacingError("cannot listen on \(address): address already in use (choose another with --port)") }
            if error.errnoCode == EACCES { return UserFacingError("cannot listen on \(address): permission denied") }
            return UserFacingError("cannot listen on \(address): \(String(cString: strerror(error.errnoCode)))")
        }
        if let error = error as? IOError { return UserFacingError(String(cString: strerror(error.errnoCode))) }
        return UserFacingError("\(error)")
    }
}
