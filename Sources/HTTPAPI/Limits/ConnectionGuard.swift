import CanonicalJSON
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Guards each connection below the router:
///
/// - **Slow clients**: the request head must arrive within `timeout` of the connection
///   opening or of the previous response, and the body within `timeout` of the head; a
///   drip-feeding client is disconnected instead of holding a connection. (Idle keep-alive
///   connections are closed by the server's idle timeout.)
/// - **Unparseable requests** get a problem+json 400 (not a bare one) and the connection
///   closes, since the byte stream can no longer be trusted.
/// - **Bodies too large**: after a 413 the connection closes, so the rest of the body is never
///   read.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    /// When the connection must have made progress; nil while the server is working on a
    /// request (its own time is not the client's fault).
    private var deadline: NIODeadline?
    /// One timer per connection, moved only when it fires: arming on every request head and
    /// response end just stores a time. (Scheduling and cancelling a NIO task twice per request
    /// cost ~5 % of the server's CPU under load.)
    private var timer: Scheduled<Void>?
    private var closeAfterResponse = false
    private var responding = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context)  // now the body (or its end) must follow in time
        case .body: break
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            responding = true
            if head.status == .contentTooLarge || head.headerFields[.connection] == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responding = false
            guard closeAfterResponse else {
                arm(context)  // the next request's head
                context.write(data, promise: promise)
                return
            }
            let written = promise ?? context.eventLoop.makePromise()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in loopBound.value.close(promise: nil) }
            context.write(data, promise: written)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !responding else {
            context.fireErrorCaught(error)
            return
        }
        disarm()
        let problem = APIError.badRequest("the request is not valid HTTP/1.1").body.serialized()
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(problem.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: problem))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        let due = NIODeadline.now() + timeout
        deadline = due
        if timer == nil { startTimer(context, firingAt: due) }
    }

    private func disarm() {
        deadline = nil
    }

    private func startTimer(_ context: ChannelHandlerContext, firingAt due: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: due) {
            let (handler, context) = loopBound.value
            handler.timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        guard let deadline else { return }  // disarmed: the next arm starts a timer again
        if deadline <= .now() {
            context.close(promise: nil)
        } else {
            startTimer(context, firingAt: deadline)  // progress was made meanwhile
        }
    }

    private func stopTimer() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }
}
