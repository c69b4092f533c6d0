import HTTPTypes
import Hummingbird

/// Sets ``ServerRequestContext/clientAddress`` from the peer and, for trusted proxies only, `X-Forwarded-For`.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let resolver: ClientAddressResolver

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let forwarded = request.headers[values: .xForwardedFor]
        context.clientAddress = resolver.clientAddress(peer: context.peerAddress, forwardedFor: forwarded)
        return try await next(request, context)
    }
}
