import Foundation
import NIOCore
import TraceStore

/// A failure explained in one line, with the exit code that goes with it.
struct UserFacingError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1
    /// Lines printed under the error, such as a query with a caret under the mistake.
    var context: [String] = []

    init(_ description: String, exitCode: Int32 = 1, context: [String] = []) {
        self.description = description
        self.exitCode = exitCode
        self.context = context
    }

    /// Turns errors from below (store, sockets) into a sentence, naming what was being done.
    static func wrapping(_ error: any Error, listeningOn address: String? = nil, option: String = "--port") -> UserFacingError {
        if let error = error as? UserFacingError { return error }
        if let error = error as? TraceStoreError { return UserFacingError(error.description) }
        if let error = error as? IOError, let address { return cannotListen(on: address, errno: error.errnoCode, option: option) }
        if let error = error as? IOError { return UserFacingError(String(cString: strerror(error.errnoCode))) }
        return UserFacingError("\(error)")
    }

    static func cannotListen(on address: String, errno: Int32, option: String) -> UserFacingError {
        switch errno {
        case EADDRINUSE: UserFacingError("cannot listen on \(address): address already in use (choose another with \(option))")
        case EACCES: UserFacingError("cannot listen on \(address): permission denied")
        default: UserFacingError("cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
    }
}
