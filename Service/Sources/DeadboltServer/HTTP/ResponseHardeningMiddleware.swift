import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: turns every error into an answer (an RFC 9457 problem under `/api/`, a plain page
/// elsewhere) and puts the security headers on every response, errors included.
struct ResponseHardeningMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    /// Renders the page for a problem (the browser's error page).
    let errorPage: @Sendable (Problem) -> String

    /// The policy for every response: nothing inline (no `unsafe-inline` anywhere), styles and images from this
    /// origin only, forms post only here, no framing (clickjacking), no `<base>` rewriting.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = answer(problem, to: request)
        } catch let error as HTTPError {
            response = answer(Problem(Self.kind(for: error.status)), to: request)
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
            response = answer(Problem(.internalError), to: request)
        }
        Self.harden(&response.headers, path: request.uri.path)
        return response
    }

    /// The security headers (see ``contentSecurityPolicy``); `no-store` on everything but `/static/`.
    static func harden(_ headers: inout HTTPFields, path: String) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xFrameOptions] = "DENY"
        headers[.crossOriginOpenerPolicy] = "same-origin"
        headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=(), payment=()"
        if !path.hasPrefix("/static/") { headers[.cacheControl] = "no-store" }
    }

    private func answer(_ problem: Problem, to request: Request) -> Response {
        var headers: HTTPFields = [:]
        if let seconds = problem.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        if problem.kind == .methodNotAllowed { headers[.allow] = "GET, POST" }
        let wantsJSON = request.uri.path.hasPrefix("/api/")
        if wantsJSON {
            headers[.contentType] = "application/problem+json"
            return Response(
                status: problem.kind.status, headers: headers, body: .init(byteBuffer: .init(bytes: Self.json(problem)))
            )
        }
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(
            status: problem.kind.status, headers: headers, body: .init(byteBuffer: .init(string: errorPage(problem))))
    }

    /// The problem document (RFC 9457 §3.1), plus `field`, `retryAfter` and `violations` as extension members.
    static func json(_ problem: Problem) -> [UInt8] {
        struct Document: Encodable {
            let type: String
            let title: String
            let status: Int
            let detail: String
            let field: String?
            let retryAfter: Int?
            let violations: [String]?
        }
        let document = Document(
            type: problem.kind.type, title: problem.kind.title, status: problem.kind.status.code,
            detail: problem.detail, field: problem.field, retryAfter: problem.retryAfterSeconds,
            violations: problem.violations)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(document)).map { Array($0) }
            ?? Array(
                #"{"type":"urn:deadbolt:problem:internal-error","title":"Something went wrong","status":500}"#.utf8)
    }

    static func kind(for status: HTTPResponse.Status) -> Problem.Kind {
        switch status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .payloadTooLarge
        case .requestTimeout: .requestTimeout
        case .unsupportedMediaType: .unsupportedMediaType
        case .unauthorized: .unauthenticated
        case .forbidden: .forbidden
        case .tooManyRequests: .rateLimited
        case .serviceUnavailable: .unavailable
        case .badRequest: .badRequest
        default: status.code >= 500 ? .internalError : .badRequest
        }
    }
}
