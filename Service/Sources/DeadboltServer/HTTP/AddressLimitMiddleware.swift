import Deadbolt
import HTTPTypes
import Hummingbird

/// Per-address limits on the unauthenticated endpoints: each client address (after trusted proxies) takes a token
/// from the engine's ``RateLimiter`` in the state store (so replicas share it) before anything else runs; a denied
/// request gets 429 with `Retry-After`, and a store that cannot answer gets 503 (the limiter fails closed).
struct AddressLimitMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let limiter: RateLimiter
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        switch try await limiter.acquire(context.clientAddressText) {
        case .allowed:
            return try await next(request, context)
        case .denied(let retryAfter):
            metrics.rateLimited()
            throw Problem(
                .rateLimited, "Too many requests from your network. Try again in a little while.",
                retryAfterSeconds: Problem.seconds(retryAfter))
        case .unavailable:
            throw Problem(
                .unavailable, "The service cannot check its limits right now. Try again shortly.", retryAfterSeconds: 5)
        }
    }
}
