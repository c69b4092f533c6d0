import Deadbolt

/// A second factor the person may choose at sign-in, masked where it names a destination.
public enum SecondFactorChoice: Sendable, Hashable {
    /// A code by text message to the phone on file, shown as `•••-•••-1234`.
    case textMessage(maskedPhone: String)
    /// A code by email, shown as `j•••@example.com`.
    case email(maskedEmail: String)
    /// A code from the enrolled authenticator app.
    case authenticatorApp
    /// One of the recovery codes.
    case recoveryCode
}

/// Where a code was sent, masked.
public enum CodeDestination: Sendable, Hashable {
    /// To this masked email address.
    case email(masked: String)
    /// To this masked phone number.
    case phone(masked: String)
}

/// A second factor as the person gives it. Prints its kind only, never the code.
public enum SecondFactorProof: Sendable, Hashable, CustomStringConvertible {
    /// The code that was texted or emailed (after ``SignInFlow/sendSecondFactorCode(_:via:client:)``).
    case sentCode(String)
    /// The authenticator app's current code.
    case authenticatorCode(String)
    /// A recovery code.
    case recoveryCode(String)

    /// The kind of proof, never the code.
    public var description: String {
        switch self {
        case .sentCode: "SecondFactorProof.sentCode(redacted)"
        case .authenticatorCode: "SecondFactorProof.authenticatorCode(redacted)"
        case .recoveryCode: "SecondFactorProof.recoveryCode(redacted)"
        }
    }
}

/// Which channel a code goes to.
public enum CodeChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// The account's email.
    case email
    /// The phone on file (a text message).
    case phone
}

/// What a successful sign-in hands the client.
public struct SessionGrant: Sendable, Hashable {
    /// The session token, for a cookie or a bearer header. A secret.
    public let token: SessionToken
    /// The session as its owner sees it.
    public let session: SessionSummary
    /// A remembered-device token to store in a long-lived cookie, when the person chose "remember this device".
    public let rememberedDevice: RememberedDeviceGrant?
}

/// A newly remembered device's token and when it lapses.
public struct RememberedDeviceGrant: Sendable, Hashable {
    /// The token (a secret) for the cookie.
    public let token: DeviceToken
    /// The device's public identifier.
    public let id: DeviceID
    /// When it stops skipping the second factor.
    public let expiresAt: Timestamp
}

/// A session as its owner sees it on the sessions page.
public struct SessionSummary: Sendable, Hashable {
    /// The public identifier ("end this session").
    public let id: SessionID
    /// The account.
    public let account: AccountID
    /// What the session may reach.
    public let access: SessionAccess
    /// When it was created.
    public let createdAt: Timestamp
    /// When it was last used.
    public let lastSeenAt: Timestamp
    /// When the person last signed in or re-authenticated in it.
    public let authenticatedAt: Timestamp
    /// When it ends at the latest.
    public let expiresAt: Timestamp
    /// The device label.
    public let deviceLabel: String
    /// The approximate address.
    public let network: NetworkPrefix?

    init(_ record: SessionRecord) {
        id = record.id
        account = record.account
        access = record.access
        createdAt = record.createdAt
        lastSeenAt = record.lastSeenAt
        authenticatedAt = record.authenticatedAt
        expiresAt = record.expiresAt
        deviceLabel = record.deviceLabel
        network = record.network
    }
}

/// Each answer of the sign-in flow (email → password → PIN → second factor → session), and of sign-up and
/// recovery where they share it. The answer says what comes next; every answer that continues carries the next
/// step's token.
///
/// An unknown email gets exactly the answers a known one with a wrong password gets.
public enum SignInAnswer: Sendable, Hashable {
    /// Give the password with this token (``SignInFlow/submitPassword(_:password:client:)``).
    case needPassword(StepToken)
    /// Give the PIN (``SignInFlow/submitPIN(_:pin:client:)``).
    case needPIN(StepToken)
    /// The identity was verified and no PIN is set yet: choose one (``SignInFlow/setFirstPIN(_:pin:client:)``).
    case needNewPIN(StepToken)
    /// A new device or network: give a second factor, or ask for a code by text or email.
    case needSecondFactor(StepToken, choices: [SecondFactorChoice])
    /// The code was sent; give it with this token (``SignInFlow/submitSecondFactor(_:proof:rememberDevice:client:)``).
    case codeSent(StepToken, to: CodeDestination)
    /// Signed in.
    case signedIn(SessionGrant)
    /// The password is wrong (or the email has no account). The same token may be used again.
    case wrongPassword
    /// The PIN is wrong. The same token may be used again.
    case wrongPIN
    /// The code is wrong, expired or used. The same token may be used again.
    case wrongCode
    /// The new PIN breaks these rules of the PIN policy (every one of them).
    case pinRefused([PINPolicy.Violation])
    /// Too many failures: try again after `retryAfter`.
    case locked(retryAfter: Duration)
    /// Too many failures: only Forgot PIN or an operator can unlock the account.
    case hardLocked
    /// A rate limit (codes sent, flows started) is in force: try again after `retryAfter`.
    case tryLater(retryAfter: Duration)
}

/// Each answer of sign-up.
public enum SignUpAnswer: Sendable, Hashable {
    /// A code went to the address (or, when it already has an account, a "you already have an account" message):
    /// give it with this token (``SignUpFlow/confirmEmail(_:code:client:)``).
    case confirmEmail(StepToken, sentTo: CodeDestination)
    /// The password breaks these rules (every one of them).
    case passwordRefused([PasswordViolation])
    /// The email is confirmed and the account exists: sign in.
    case accountCreated
    /// The code is wrong, expired or used. The same token may be used again.
    case wrongCode
    /// Too many wrong codes: try again after `retryAfter`, or never (`nil`: start again later).
    case locked(retryAfter: Duration?)
    /// A rate limit is in force: try again after `retryAfter`.
    case tryLater(retryAfter: Duration)
}

/// A channel the person may choose for a recovery code, masked.
public enum RecoveryChannelChoice: Sendable, Hashable {
    /// The email, shown as `j•••@example.com`.
    case email(maskedEmail: String)
    /// The phone on file, shown as `•••-•••-1234`.
    case phone(maskedPhone: String)
}

/// How a recovery flow was started.
public enum RecoveryOrigin: String, Sendable, Hashable, Codable, CaseIterable {
    /// The person forgot their PIN or password.
    case forgotten
    /// The person said "this wasn't me" (the `/not-me` page, or an activity entry): every session ends and every
    /// remembered device is forgotten as soon as the code is given.
    case notMe = "not-me"
}

/// Each answer of Forgot PIN and Forgot password (email → code → second proof → new secret → done).
public enum RecoveryAnswer: Sendable, Hashable {
    /// Choose where the code goes (``RecoveryFlow/sendCode(_:via:client:)``).
    case chooseChannel(StepToken, choices: [RecoveryChannelChoice])
    /// The code was sent; give it (``RecoveryFlow/submitCode(_:code:client:)``).
    case codeSent(StepToken, to: CodeDestination)
    /// Give the password (Forgot PIN's second proof).
    case needPassword(StepToken)
    /// Give the current PIN (Forgot password's second proof).
    case needPIN(StepToken)
    /// Choose a new PIN.
    case needNewPIN(StepToken)
    /// Choose a new password.
    case needNewPassword(StepToken)
    /// Forgot password for an account whose identity is verified and which has no PIN (re-verified after losing
    /// both, or verified and not yet signed in): give the one-time re-enrollment code the operator handed over at
    /// the verification (``RecoveryFlow/submitReenrollmentCode(_:code:client:)``). Without one, the person asks the
    /// operator to verify them again, which issues one.
    case needReenrollmentCode(StepToken)
    /// Done: every other session ended, remembered devices forgotten, every channel notified. Sign in now.
    case completed
    /// The code is wrong, expired or used. The same token may be used again.
    case wrongCode
    /// The password is wrong. The same token may be used again.
    case wrongPassword
    /// The PIN is wrong. The same token may be used again.
    case wrongPIN
    /// The new PIN breaks these rules.
    case pinRefused([PINPolicy.Violation])
    /// The new password breaks these rules.
    case passwordRefused([PasswordViolation])
    /// Too many failures: try again after `retryAfter`.
    case locked(retryAfter: Duration)
    /// Too many failures: an operator must unlock the account.
    case hardLocked
    /// A rate limit is in force: try again after `retryAfter`.
    case tryLater(retryAfter: Duration)
}
