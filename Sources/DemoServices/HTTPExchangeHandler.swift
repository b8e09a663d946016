import NIOCore
import NIOHTTP1

/// One request to write, and where to deliver its response.
struct PendingExchange {
    var head: HTTPRequestHead
    var promise: EventLoopPromise<TimedResponse>
}

/// The response and the instants the event loop saw, before they become phases.
struct TimedResponse {
    var status: Int
    var body: ByteBuffer
    var keepAlive: Bool
    var sendStart: WallInstant
    var sendEnd: WallInstant
    var firstByte: WallInstant
    var receiveEnd: WallInstant
}

/// Shared by the two handlers of one connection; only touched on its event loop.
final class ExchangeClock {
    var awaitingFirstByte = false
    var firstByte = WallInstant(nanosecondsSinceEpoch: 0)
}

/// Sits before the HTTP decoder so the first response byte is timed as it arrives, not when parsed.
final class FirstByteTimer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let clock: ExchangeClock

    init(clock: ExchangeClock) { self.clock = clock }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.awaitingFirstByte {
            clock.firstByte = .now()
            clock.awaitingFirstByte = false
        }
        context.fireChannelRead(data)
    }
}

/// Writes one request at a time and times send, wait and receive from real channel events.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let clock: ExchangeClock
    private var pending: PendingExchange?
    private var response: TimedResponse?

    init(clock: ExchangeClock) { self.clock = clock }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(ChannelError.inappropriateOperationForState)
            return
        }
        pending = exchange
        let start = WallInstant.now()
        let zero = WallInstant(nanosecondsSinceEpoch: 0)
        response = TimedResponse(status: 0, body: context.channel.allocator.buffer(capacity: 0), keepAlive: true,
                                 sendStart: start, sendEnd: zero, firstByte: zero, receiveEnd: zero)
        clock.awaitingFirstByte = true
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        let sent = context.eventLoop.makePromise(of: Void.self)
        sent.futureResult.assumeIsolated().whenSuccess { [weak self] in self?.response?.sendEnd = .now() }
        sent.futureResult.cascade(to: promise)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: sent)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response?.status = Int(head.status.code)
            response?.keepAlive = head.isKeepAlive
        case .body(var chunk):
            response?.body.writeBuffer(&chunk)
        case .end:
            guard let exchange = pending, var finished = response else { return }
            finished.firstByte = clock.firstByte
            finished.receiveEnd = .now()
            if finished.sendEnd.nanosecondsSinceEpoch == 0 { finished.sendEnd = finished.firstByte }
            pending = nil
            response = nil
            exchange.promise.succeed(finished)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failPending(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func failPending(_ error: any Error) {
        pending?.promise.fail(error)
        pending = nil
        response = nil
    }
}
