import Deadbolt

/// The answer of a re-authentication inside a session (``Sessions/reauthenticate(_:password:pin:client:)``).
///
/// The same answers a sign-in gives for the same mistakes: a wrong password or PIN is counted in the same lockout
/// budgets, and a lock is told with when to try again.
public enum ReauthenticationAnswer: Sendable, Hashable {
    /// Password and PIN were right: the session's authentication time is now, and sensitive changes are allowed
    /// until `until` (``SignInConfiguration/reauthenticationWindow`` from now).
    case reauthenticated(until: Timestamp)
    /// The password is wrong (the PIN was not checked).
    case wrongPassword
    /// The password was right and the PIN is wrong.
    case wrongPIN
    /// Too many failures: try again after `retryAfter`.
    case locked(retryAfter: Duration)
    /// Too many failures: only Forgot PIN (or Forgot password) or an operator can unlock the account.
    case hardLocked
}

extension ReauthenticationAnswer {
    init(_ refusal: Refusal) {
        switch refusal {
        case .locked(let wait): self = .locked(retryAfter: wait)
        case .hardLocked: self = .hardLocked
        }
    }
}

extension Sessions {
    /// Re-authenticates the signed-in person inside their session, so a sensitive change (PIN, password, phone,
    /// authenticator, recovery codes, deletion) no longer answers ``SignInError/reauthenticationRequired``: the
    /// password and then the PIN, each through its sign-in lockout budget (reserved before the slow check, failures
    /// counted, a lock notified once), exactly as a sign-in on a remembered device asks for them. On success the
    /// session's authentication time moves to now; it is recorded in the account's activity as a sign-in.
    ///
    /// Both are asked, not one: a session left open plus a PIN seen over a shoulder must not be enough to change
    /// the password, which is what a sign-in would also refuse.
    /// - Returns: ``ReauthenticationAnswer/reauthenticated(until:)``, ``ReauthenticationAnswer/wrongPassword``,
    ///   ``ReauthenticationAnswer/wrongPIN``, ``ReauthenticationAnswer/locked(retryAfter:)`` or
    ///   ``ReauthenticationAnswer/hardLocked``.
    /// - Throws: ``SignInError/invalidInput(field:reason:)`` for an empty password or PIN, a password over 4096 bytes
    ///   or a PIN over 64; ``SignInError/notSignedIn`` (also when the session ended during the check);
    ///   ``SignInError/accessDenied`` for a verify-your-identity session; ``SignInError/concurrentChange`` when a
    ///   credential changed during the check; ``SignInError/overloaded``; ``SignInError/unavailable``.
    public func reauthenticate(_ session: AuthenticatedSession, password: String, pin: String, client: ClientContext) async throws -> ReauthenticationAnswer {
        try context.bound(password, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        try context.bound(pin, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let (record, account) = try await context.signedIn(session, sensitive: false)
        let passwordRehash: [Change]
        switch try await context.checkPassword(password, emailKey: account.email.comparisonKey, account: account, client: client) {
        case .refused(let refusal): return ReauthenticationAnswer(refusal)
        case .failed: return .wrongPassword
        case .verified(_, let rehash): passwordRehash = rehash
        }
        let pinRehash: [Change]
        switch try await context.checkPIN(pin, account: account, orIdentity: account.id.rawValue, client: client) {
        case .refused(let refusal): return ReauthenticationAnswer(refusal)
        case .failed: return .wrongPIN
        case .verified(_, let rehash): pinRehash = rehash
        }
        let now = context.now
        do {
            try await context.commit(
                ChangeSet(
                    passwordRehash + pinRehash + [
                        .reauthenticateSession(record.id, at: now), try context.activity(.signedIn, account: account.id, client: client),
                    ]))
        } catch SignInError.concurrentChange {
            _ = try await context.current(session)
            throw SignInError.concurrentChange
        }
        return .reauthenticated(until: now.adding(context.configuration.reauthenticationWindow))
    }
}
