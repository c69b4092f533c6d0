import HTTPTypes
import Hummingbird

/// Refuses a state-changing request that a browser says came from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, or an `Origin` other than the server's public origin (OWASP CSRF Prevention Cheat Sheet,
/// "Verifying Origin with standard headers" and "Fetch Metadata headers"). Browsers send at least one of them on
/// every POST; a request carrying cookies that has neither is refused too. A request with neither a cookie nor
/// a browser's headers (an API client with a bearer token) passes: CSRF needs ambient credentials.
///
/// This is one of two layers: every form also carries a per-session (or, before sign-in, per-browser) token.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    /// The origin browsers show for this server (`https://auth.example.gov`).
    let publicOrigin: OriginHolder

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        if !Self.isSafe(request.method) {
            try check(request)
        }
        return try await next(request, context)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }

    func check(_ request: Request) throws {
        let fetchSite = request.headers[.secFetchSite]?.lowercased()
        // With `Referrer-Policy: no-referrer`, browsers send `Origin: null` on their own same-origin form posts
        // (Fetch §3.1, "serializing a request origin"), so `null` is no answer; `Sec-Fetch-Site` still is.
        let sentOrigin = request.headers[.origin]?.lowercased()
        let origin = sentOrigin == "null" ? nil : sentOrigin
        if let fetchSite, fetchSite != "same-origin", fetchSite != "none" {
            throw Problem(.crossSiteRequest, "This form was sent from another site, so it was not accepted.")
        }
        if let origin, origin != publicOrigin.origin {
            throw Problem(.crossSiteRequest, "This form was sent from another site, so it was not accepted.")
        }
        if fetchSite == nil, origin == nil, request.headers[.cookie] != nil {
            throw Problem(
                .crossSiteRequest, "The request carried cookies but no Origin header, so it was not accepted.")
        }
    }
}
