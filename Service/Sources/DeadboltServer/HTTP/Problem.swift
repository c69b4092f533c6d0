import Deadbolt
import DeadboltSignIn
import HTTPTypes
import Hummingbird

/// An error the server answers with, as an RFC 9457 problem (`application/problem+json` on the API, a plain page in
/// the browser). Each case has a stable `type` (`urn:deadbolt:problem:<slug>`) that clients may branch on; the
/// `detail` is for people and never holds a secret, a code, a token or an account's existence.
public struct Problem: Error, Sendable, Equatable {
    /// The stable kind of problem.
    public enum Kind: String, Sendable, CaseIterable {
        case badRequest = "bad-request"
        case invalidField = "invalid-field"
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case payloadTooLarge = "payload-too-large"
        case requestTimeout = "request-timeout"
        case unsupportedMediaType = "unsupported-media-type"
        case crossSiteRequest = "cross-site-request"
        case unauthenticated = "unauthenticated"
        case forbidden = "forbidden"
        case stepExpired = "step-expired"
        case reauthenticationRequired = "reauthentication-required"
        case conflict = "conflict"
        case wrongCredentials = "wrong-credentials"
        case credentialRefused = "credential-refused"
        case locked = "locked"
        case rateLimited = "rate-limited"
        case overloaded = "overloaded"
        case unavailable = "unavailable"
        case internalError = "internal-error"

        /// The HTTP status this kind answers with.
        public var status: HTTPResponse.Status {
            switch self {
            case .badRequest, .invalidField: .badRequest
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .payloadTooLarge: .contentTooLarge
            case .requestTimeout: .requestTimeout
            case .unsupportedMediaType: .unsupportedMediaType
            case .crossSiteRequest, .forbidden: .forbidden
            case .stepExpired: .gone
            case .reauthenticationRequired, .wrongCredentials: .unauthorized
            case .conflict: .conflict
            case .credentialRefused: .unprocessableContent
            case .locked: HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
            case .unauthenticated: .unauthorized
            case .rateLimited: .tooManyRequests
            case .overloaded, .unavailable: .serviceUnavailable
            case .internalError: .internalServerError
            }
        }

        /// A short, fixed summary (RFC 9457 `title`).
        public var title: String {
            switch self {
            case .badRequest: "The request could not be read"
            case .invalidField: "A field needs changing"
            case .notFound: "Not found"
            case .methodNotAllowed: "Method not allowed"
            case .payloadTooLarge: "The request is too large"
            case .requestTimeout: "The request took too long to arrive"
            case .unsupportedMediaType: "Unsupported content type"
            case .crossSiteRequest: "The request did not come from this site"
            case .unauthenticated: "Sign in first"
            case .forbidden: "Not allowed"
            case .stepExpired: "This step has expired"
            case .reauthenticationRequired: "Enter your password and PIN again"
            case .conflict: "Try again"
            case .wrongCredentials: "That was not right"
            case .credentialRefused: "Choose another"
            case .locked: "Locked for now"
            case .rateLimited: "Too many requests"
            case .overloaded: "The service is busy"
            case .unavailable: "The service is unavailable"
            case .internalError: "Something went wrong"
            }
        }

        /// The stable URI of this kind.
        public var type: String { "urn:deadbolt:problem:\(rawValue)" }
    }

    /// The kind.
    public var kind: Kind
    /// What happened, for a person (RFC 9457 `detail`).
    public var detail: String
    /// When to try again (`Retry-After`), for rate limits and overload.
    public var retryAfterSeconds: Int?
    /// The form field the problem is about, if any (pages tie the message to it with `aria-describedby`).
    public var field: String?
    /// Every rule a refused PIN or password broke, for people.
    public var violations: [String]?

    /// A problem of `kind`.
    public init(
        _ kind: Kind, _ detail: String? = nil, retryAfterSeconds: Int? = nil, field: String? = nil,
        violations: [String]? = nil
    ) {
        self.kind = kind
        self.detail = detail ?? kind.title
        self.retryAfterSeconds = retryAfterSeconds
        self.field = field
        self.violations = violations
    }

    /// Whole seconds to wait for `duration`, at least 1 (`Retry-After` takes whole seconds, RFC 9110 §10.2.3).
    public static func seconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}

extension Problem {
    /// A new PIN the policy refused, with every rule it breaks.
    static func refused(_ violations: [PINPolicy.Violation]) -> Problem {
        Problem(.credentialRefused, "Choose another PIN.", field: "pin", violations: violations.map(\.message))
    }

    /// A new password the policy refused, with every rule it breaks.
    static func refused(_ violations: [PasswordViolation]) -> Problem {
        Problem(
            .credentialRefused, "Choose another password.", field: "password", violations: violations.map(\.message))
    }

    /// Too many wrong tries: when to try again, in the text and in `Retry-After`.
    static func locked(retryAfter: Duration) -> Problem {
        Problem(
            .locked, "Too many wrong tries. Try again \(WaitText.phrase(retryAfter)).",
            retryAfterSeconds: Problem.seconds(retryAfter))
    }
}
