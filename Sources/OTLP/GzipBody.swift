import CZlib
import Foundation
import NIOCore

/// A gzip request body (or a zlib-wrapped gRPC "deflate" message), inflated whole or refused
/// whole. The size limit is checked as bytes come out, so a bomb stops at limit + 1 bytes whatever
/// its ratio; a stream cut short, one whose trailer does not match, and one followed by anything
/// but another gzip member are refused.
public enum GzipBody {
    public enum Format: Sendable {
        /// RFC 1952, members one after another allowed.
        case gzip
        /// RFC 1950, what gRPC calls "deflate".
        case zlib
    }

    public enum Failure: Error, Equatable {
        case tooLarge
        case truncated
        case trailingBytes(Int)
        case invalid(String)
    }

    public static func inflate(_ body: ByteBuffer, limit: Int, format: Format = .gzip) throws(Failure) -> Data {
        var stream = z_stream()
        // 16 + MAX_WBITS: a gzip wrapper only, with its CRC-32 and length checked by zlib.
        let windowBits = format == .gzip ? 16 + MAX_WBITS : MAX_WBITS
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .invalid("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data(count: min(limit + 1, max(1 << 16, body.readableBytes * 4)))
        var produced = 0
        let result: Result<Void, Failure> = body.withUnsafeReadableBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                if produced == output.count {
                    guard output.count <= limit else { return .failure(.tooLarge) }
                    output.count = min(limit + 1, output.count * 2)
                }
                let status = output.withUnsafeMutableBytes { out -> Int32 in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress! + produced
                    stream.avail_out = UInt32(out.count - produced)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                produced = output.count - Int(stream.avail_out)
                if produced > limit { return .failure(.tooLarge) }
                switch status {
                case Z_STREAM_END:
                    let rest = Int(stream.avail_in)
                    if rest == 0 { return .success(()) }
                    // RFC 1952 allows members one after another; anything else after the end is refused.
                    let next = input.count - rest
                    guard format == .gzip, rest >= 2, input[next] == 0x1F, input[next + 1] == 0x8B else { return .failure(.trailingBytes(rest)) }
                    inflateReset(&stream)
                case Z_OK where stream.avail_in == 0 && stream.avail_out > 0, Z_BUF_ERROR where stream.avail_in == 0:
                    return .failure(.truncated)
                case Z_OK, Z_BUF_ERROR:
                    continue
                default:
                    return .failure(.invalid(stream.msg.map { String(cString: $0) } ?? "error \(status)"))
                }
            }
        }
        try result.get()
        output.count = produced
        return output
    }
}
