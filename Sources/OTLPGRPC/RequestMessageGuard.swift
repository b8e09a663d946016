import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import OTLP
import TraceIngest

/// Sits in front of grpc-swift's handler on each HTTP/2 stream and applies the size limit the way
/// the OTLP specification asks: a request message over it, as sent or once inflated, is answered
/// RESOURCE_EXHAUSTED (the transport would only reset the stream, which clients read as
/// UNAVAILABLE and retry). Compressed messages are inflated here, by the same bounded inflater as
/// OTLP/HTTP bodies, and passed on uncompressed; uncompressed ones pass through untouched.
final class RequestMessageGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let limit: Int
    private var compression: GzipBody.Format?
    private var sawRequestHeaders = false
    private var refused = false
    /// The 5-byte gRPC message prefix being read (compressed flag, big-endian length).
    private var prefix: [UInt8] = []
    /// Bytes of the current message not yet seen.
    private var remaining = 0
    /// The current message, when it is compressed and so must be held whole.
    private var compressed: ByteBuffer?

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .headers(var headers) where !sawRequestHeaders:
            sawRequestHeaders = true
            switch headers.headers.first(name: "grpc-encoding")?.lowercased() {
            case "gzip": compression = .gzip
            case "deflate": compression = .zlib
            default: break // identity, or one grpc-swift refuses with UNIMPLEMENTED itself
            }
            if compression != nil { headers.headers.remove(name: "grpc-encoding") }
            context.fireChannelRead(wrapInboundOut(.headers(headers)))
        case .data(let frame):
            guard case .byteBuffer(var buffer) = frame.data else { return context.fireChannelRead(data) }
            do {
                var output = compression == nil ? nil : context.channel.allocator.buffer(capacity: buffer.readableBytes)
                let original = buffer
                try scan(&buffer, into: &output)
                var passed = frame
                passed.data = .byteBuffer(output ?? original)
                context.fireChannelRead(wrapInboundOut(.data(passed)))
            } catch {
                refuse(error, context: context)
            }
        default:
            context.fireChannelRead(data)
        }
    }

    /// Walks the frame's bytes message by message; `output` (when compression is on) receives what
    /// grpc-swift should see instead: uncompressed messages as they are, compressed ones inflated.
    private func scan(_ buffer: inout ByteBuffer, into output: inout ByteBuffer?) throws(IngestError) {
        while buffer.readableBytes > 0 {
            if remaining == 0 && compressed == nil {
                let wanted = 5 - prefix.count
                prefix += buffer.readBytes(length: min(wanted, buffer.readableBytes))!
                guard prefix.count == 5 else { return }
                let length = prefix[1...].reduce(0) { $0 << 8 | Int($1) }
                guard length <= limit else { throw .tooLarge(limit: limit) }
                remaining = length
                if prefix[0] & 1 == 1 {
                    guard compression != nil else { throw .badRequest("a message is marked compressed but the request names no grpc-encoding") }
                    compressed = ByteBuffer()
                    compressed!.reserveCapacity(length)
                } else {
                    output?.writeBytes(prefix)
                }
                prefix = []
                if compressed != nil && remaining == 0 {
                    try inflateMessage(into: &output)
                    continue
                }
            }
            var piece = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
            remaining -= piece.readableBytes
            if compressed != nil {
                compressed!.writeBuffer(&piece)
                if remaining == 0 { try inflateMessage(into: &output) }
            } else {
                output?.writeBuffer(&piece)
            }
        }
    }

    private func inflateMessage(into output: inout ByteBuffer?) throws(IngestError) {
        guard let message = compressed, let format = compression else { return }
        compressed = nil
        let inflated: Data
        do { inflated = try GzipBody.inflate(message, limit: limit, format: format) } catch { throw IngestError(error, limit: limit) }
        output?.writeInteger(UInt8(0))
        output?.writeInteger(UInt32(inflated.count))
        output?.writeBytes(inflated)
    }

    /// Answers with a status of our own (trailers only) and closes the stream, which cancels the
    /// call inside grpc-swift before it ever sees a message.
    private func refuse(_ error: IngestError, context: ChannelHandlerContext) {
        refused = true
        let headers: HPACKHeaders = [
            ":status": "200", "content-type": "application/grpc",
            "grpc-status": "\(error.grpcStatusCode)", "grpc-message": Self.percentEncoded(error.message),
        ]
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        context.close(promise: nil)
    }

    /// grpc-message is percent-encoded outside printable ASCII (gRPC over HTTP/2).
    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "%") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}
