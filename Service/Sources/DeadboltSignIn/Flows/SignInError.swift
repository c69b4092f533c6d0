/// Why a call into the sign-in system could not be answered with a step's answer. A wrong password, PIN or code
/// is an answer (``SignInAnswer/wrongPassword``), not an error; these are the cases a service maps to an error page
/// or a problem document.
///
/// No case holds a secret, a code, a token, or whether an account exists.
public enum SignInError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The email is not a usable address; the reason says what is wrong.
    case invalidEmail(String)
    /// A field is out of bounds or malformed; `field` names it, `reason` says what would be right.
    case invalidInput(field: String, reason: String)
    /// The step token is unknown, expired, already used, from another flow or step, or presented from another
    /// browser or address: start the flow again.
    case stepInvalid
    /// The step token was valid, but another request (another replica) completed the same step first: start again.
    case stepAlreadyUsed
    /// No session, or it ended (signed out, idle, past its lifetime, or ended elsewhere).
    case notSignedIn
    /// The session may not do this (an account whose identity is not yet verified).
    case accessDenied
    /// A sensitive change needs a sign-in within the re-authentication window: sign in again first.
    case reauthenticationRequired
    /// The session, device or authenticator named does not exist on this account.
    case notFound
    /// The account changed while the step ran (another change landed first); nothing was written: try again.
    case concurrentChange
    /// The database or the state store could not answer; nothing was written. Fail closed: try again later.
    case unavailable
    /// The hashing pool is at its memory budget: try again later (a service answers 503 with `Retry-After`).
    case overloaded
    /// Something the service configured is wrong (a key, a sealed value it cannot open); `reason` names it, never
    /// a secret.
    case misconfigured(String)

    public var description: String {
        switch self {
        case .invalidEmail(let reason): "that email address cannot be used: \(reason)"
        case .invalidInput(let field, let reason): "invalid \(field): \(reason)"
        case .stepInvalid: "this step is no longer valid; start again"
        case .stepAlreadyUsed: "this step was already completed by another request; start again"
        case .notSignedIn: "not signed in"
        case .accessDenied: "this session cannot do that"
        case .reauthenticationRequired: "sign in again to make this change"
        case .notFound: "not found"
        case .concurrentChange: "the account changed while this step ran; try again"
        case .unavailable: "the service is unavailable; try again later"
        case .overloaded: "the service is busy; try again later"
        case .misconfigured(let reason): "the sign-in system is misconfigured: \(reason)"
        }
    }
}
