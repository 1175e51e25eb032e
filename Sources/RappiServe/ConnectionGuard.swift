import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// HTTP/1 connection rules every rappi server shares, enforced below Hummingbird on the raw
/// HTTP/1 parts (which still know the protocol version):
///
/// - a request must arrive whole (head and body) within `requestTimeout` of the connection
///   opening or of the previous response — so idle, half-sent and trickled requests (slowloris)
///   are closed rather than held open for ever;
/// - a request that does not ask to keep the connection (HTTP/1.0 without `keep-alive`, or
///   `Connection: close`) gets `Connection: close` and the socket is closed after the response;
/// - a refusal sent before its request's body was read (401, 403, 413, 415) closes the
///   connection, so nobody has to read a body that was refused — other early answers (503 when
///   overloaded, 404) keep it, and the rest of the body is read and dropped as before. The close
///   lingers: the server shuts its sending side, drops what the client is still sending, and
///   closes when the client does (or after `lingerLimit`). Closing at once while body bytes are
///   unread makes the kernel reset the connection, which can destroy the refusal before the
///   client reads it — the client then sees "connection reset" instead of the 413;
/// - a body the HTTP parser rejects (a malformed chunk size) answers 400, not 500, and closes.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let requestTimeout: TimeAmount?
    /// One timer per connection, re-armed only when it fires (never per request): it closes the
    /// connection when a request has been awaited longer than `requestTimeout`.
    private var timer: Scheduled<Void>?
    /// Since when a whole request has been awaited (nil while the server works on one).
    private var awaitingSince: NIODeadline?
    private var readingRequest = false
    private var responding = false
    private var closeAfterResponse = false
    private var answeredParseError = false
    /// Answered and half-closed: whatever still arrives is dropped.
    private var lingering = false
    static let lingerLimit = TimeAmount.seconds(2)

    init(requestTimeout: TimeAmount?) { self.requestTimeout = requestTimeout }

    /// Answers after which the request's body is not worth reading.
    private static let refusals: Set<UInt> = [401, 403, 413, 415]

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if lingering { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            readingRequest = true
            if !head.isKeepAlive { closeAfterResponse = true }
            if awaitingSince == nil { awaitingSince = .now() }  // a pipelined request: its clock starts now
        case .body:
            break
        case .end:
            readingRequest = false
            awaitingSince = nil  // the server may take its time to answer; the clock restarts after the response
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            responding = true
            if readingRequest, Self.refusals.contains(head.status.code) { closeAfterResponse = true }
            if closeAfterResponse {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            responding = false
            if closeAfterResponse {
                let written = promise ?? context.eventLoop.makePromise()
                context.writeAndFlush(data, promise: written)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                if readingRequest {
                    lingering = true
                    written.futureResult.whenComplete { _ in Self.lingeringClose(bound) }
                } else {
                    written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
                }
            } else {
                context.write(data, promise: promise)
                if !readingRequest { awaitingSince = .now() }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if lingering { return }  // the rest of a refused request: nobody is listening
        // A parse error inside a request's body: answer it here, where the version and the
        // connection are known; the handler above sees the error too and its late answer is dropped.
        if error is HTTPParserError, readingRequest, !responding, !answeredParseError {
            answeredParseError = true
            closeAfterResponse = true
            let body = #"{"error":{"code":"bad_request","message":"the request could not be parsed as HTTP/1.1 (for example a malformed chunk size) — the connection is closed","details":[]}}"#
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.utf8.count))
            headers.add(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
        context.fireErrorCaught(error)
    }

    /// Shuts the sending side (the client reads the answer, then the end), and closes fully when
    /// the client closes or after `lingerLimit`. Where a half-close is not possible, closes now.
    private static func lingeringClose(_ bound: NIOLoopBound<ChannelHandlerContext>) {
        let context = bound.value
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: halfClosed)
        halfClosed.futureResult.whenFailure { _ in bound.value.close(promise: nil) }
        context.eventLoop.scheduleTask(in: lingerLimit) { bound.value.close(promise: nil) }
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil, let requestTimeout else { return }
        awaitingSince = .now()
        schedule(context, at: .now() + requestTimeout)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let requestTimeout else { return }
            let now = NIODeadline.now()
            if let since = awaitingSince {
                if since + requestTimeout <= now { context.close(promise: nil); return }
                schedule(context, at: since + requestTimeout)
            } else {
                schedule(context, at: now + requestTimeout)
            }
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// Hummingbird's HTTP/1 channel with a `ConnectionGuard` in front of its HTTP-types codec.
struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let requestTimeout: TimeAmount?

    var responder: HTTPChannelHandler.Responder { inner.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let requestTimeout = self.requestTimeout
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
            try operations.addHandler(ConnectionGuard(requestTimeout: requestTimeout), position: .before(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// The server builder every rappi server uses: idle connections closed after `idleTimeout`,
    /// a request given `requestTimeout` to arrive whole (both in seconds; nil: no limit).
    static func builder(idleTimeout: Int?, requestTimeout: Int?) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout.map { .seconds(Int64($0)) })),
                requestTimeout: requestTimeout.map { .seconds(Int64($0)) })
        }
    }
}
