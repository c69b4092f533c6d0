/// A session that ``Sessions/authenticate(_:client:)`` accepted: who is signed in, and since when.
///
/// Pass it back to every signed-in call; those calls read the session again, so a session ended elsewhere in the
/// meantime is refused.
public struct AuthenticatedSession: Sendable, Hashable {
    /// The session.
    public let summary: SessionSummary
    /// The account's email.
    public let email: EmailAddress
    /// The account's state.
    public let accountState: AccountState
    /// The token's digest (the session's key; not the token).
    let tokenDigest: TokenDigest

    /// The account.
    public var account: AccountID { summary.account }
}

/// A remembered device as its owner sees it.
public struct RememberedDeviceSummary: Sendable, Hashable {
    /// The public identifier ("forget this device").
    public let id: DeviceID
    /// The label when it was remembered.
    public let label: String
    /// When it was remembered.
    public let createdAt: Timestamp
    /// When it was last used.
    public let lastUsedAt: Timestamp
    /// When it lapses.
    public let expiresAt: Timestamp
}

/// An account as its owner sees it on the account page (never a secret).
public struct AccountOverview: Sendable, Hashable {
    /// The email.
    public let email: EmailAddress
    /// The state.
    public let state: AccountState
    /// The phone on file, masked, if any.
    public let maskedPhone: String?
    /// The enrolled authenticators (id, label, when).
    public let authenticators: [AuthenticatorSummary]
    /// Unused recovery codes.
    public let recoveryCodesLeft: Int
    /// When the identity was verified, if it was.
    public let identityVerifiedAt: Timestamp?
}

/// An authenticator as its owner sees it.
public struct AuthenticatorSummary: Sendable, Hashable {
    /// The identifier ("remove").
    public let id: AuthenticatorID
    /// The label.
    public let label: String
    /// When it was added.
    public let createdAt: Timestamp
}
