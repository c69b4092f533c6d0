/// Every message the sign-in system sends, with its parameters. ``NoticeRenderer`` turns one into plain text
/// (subject and body for email, a short text for SMS); a service may add HTML.
///
/// Cases that carry a code are sealed at rest in the outbox and erased once delivered or expired. Every security
/// notice carries the "this wasn't me" link (``SignInConfiguration/notMeURL``) when rendered.
public enum Notice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The code that confirms an email address at sign-up.
    case confirmEmailCode(code: String)
    /// Someone tried to sign up with an address that already has an account (sent instead of a code).
    case alreadyRegistered
    /// A second-factor code for a sign-in.
    case signInCode(code: String)
    /// The code that starts a PIN or password reset.
    case recoveryCode(code: String, resetting: CredentialKind)
    /// The code that confirms a new phone number.
    case phoneConfirmationCode(code: String)
    /// A sign-in completed from a new device or network.
    case newDeviceSignIn(deviceLabel: String, network: String?, at: Timestamp)
    /// A sign-in got past the password but not to a session: someone may know the password.
    case passwordMayBeKnown(at: Timestamp)
    /// Failures locked the account; `until` is when it may be tried again, `nil` for a hard lock.
    case accountLocked(until: Timestamp?)
    /// The PIN was changed (or set after a reset).
    case pinChanged(at: Timestamp)
    /// The password was changed.
    case passwordChanged(at: Timestamp)
    /// The phone on file changed; sent to the old number (and the email) with the new one masked.
    case phoneChanged(newPhoneMasked: String?, at: Timestamp)
    /// An authenticator app was added.
    case authenticatorAdded(at: Timestamp)
    /// An authenticator app was removed.
    case authenticatorRemoved(at: Timestamp)
    /// New recovery codes were generated (the old ones stopped working).
    case recoveryCodesGenerated(at: Timestamp)
    /// A recovery code was used; `remaining` are left.
    case recoveryCodeUsed(remaining: Int, at: Timestamp)
    /// Every session was ended and every device forgotten after "this wasn't me".
    case signedOutEverywhere(at: Timestamp)
    /// The identity was verified (or verified again, voiding the old PIN and password).
    case identityVerified(credentialsVoided: Bool, at: Timestamp)
    /// The account was deleted.
    case accountDeleted(at: Timestamp)

    /// Whether the notice carries a code (sealed at rest, erased on delivery or expiry).
    public var carriesCode: Bool {
        switch self {
        case .confirmEmailCode, .signInCode, .recoveryCode, .phoneConfirmationCode: true
        default: false
        }
    }

    /// The notice's kind only, never its parameters: a code must not reach a log through string interpolation.
    public var description: String {
        if case .alreadyRegistered = self { return "Notice.alreadyRegistered" }
        return "Notice." + (Mirror(reflecting: self).children.first?.label ?? "unknown")
    }

    /// Whether the notice reports a security event (and so carries the "this wasn't me" link).
    public var isSecurityNotice: Bool {
        switch self {
        case .confirmEmailCode, .signInCode, .recoveryCode, .phoneConfirmationCode: false
        default: true
        }
    }
}

/// A notice rendered as plain text for any transport. Its body and text may hold a code, so it prints as its
/// subject only (no code is ever in a subject): a transport that logs what it sends logs no code.
public struct RenderedMessage: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The email subject.
    public let subject: String
    /// The email body, plain text.
    public let body: String
    /// The text message: short (at most 160 GSM characters where it can be), holding the code first when it has one.
    public let shortText: String

    /// The subject only.
    public var description: String { "RenderedMessage(subject: \(subject))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
}

/// A message as the worker hands it to a transport: where it goes, what it says.
///
/// It may hold a code: a transport sends it and keeps nothing. Its description names the channel and id only.
public struct OutgoingMessage: Sendable, Hashable, CustomStringConvertible {
    /// The outbox id (a transport may use it as an idempotency key: the worker delivers a message once, but a
    /// worker that dies between sending and marking may send it again after its lease).
    public let id: MessageID
    /// Email or text message.
    public let channel: DeliveryChannel
    /// The email address or phone number.
    public let destination: String
    /// The typed notice, for a service that renders its own HTML.
    public let notice: Notice
    /// The plain-text rendering.
    public let rendered: RenderedMessage

    public var description: String { "OutgoingMessage(\(channel.rawValue), \(id))" }
}

/// What the outbox stores for a message, as JSON (sealed when it carries a code or goes to a phone).
struct OutboxEnvelope: Codable, Hashable {
    var destination: String
    var notice: Notice
}
