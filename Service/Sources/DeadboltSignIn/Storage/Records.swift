import Deadbolt

/// Where an account stands. The flows read it to decide what a person may do next.
public enum AccountState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Email confirmed, identity not yet verified: the password signs in to a session that can only show "verify
    /// your identity" (``SessionAccess/identityVerificationPending``).
    case identityUnverified = "identity-unverified"
    /// Identity verified, no PIN yet: the next sign-in asks for a new PIN after the password.
    case needsPIN = "needs-pin"
    /// Identity verified and a PIN set: the full sign-in applies.
    case active
    /// Identity verified again after the person lost both PIN and password: both are void until Forgot password
    /// sets a new password (then the next sign-in asks for a new PIN).
    case credentialsVoided = "credentials-voided"
}

/// One account: the row every other record hangs from. Prints its id, state and credential version, never a hash
/// or the sealed phone.
public struct AccountRecord: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The account's identifier.
    public var id: AccountID
    /// The normalized address; its ``EmailAddress/comparisonKey`` is unique across accounts.
    public var email: EmailAddress
    /// Where the account stands.
    public var state: AccountState
    /// The password's PHC string, or `nil` while void.
    public var passwordHash: String?
    /// The PIN's PHC string, or `nil` until one is set (or while void).
    public var pinHash: String?
    /// Raised by every credential change (password, PIN, identity re-verification): a change set that read the
    /// account before a slow check writes only `where credentialVersion = v` (``Change/setPasswordHash(account:hash:expectedCredentialVersion:)``),
    /// so two concurrent changes cannot both land.
    public var credentialVersion: Int64
    /// The phone number on file, sealed (``Deadbolt/SealingKeyring``, the account id as associated data), or `nil`.
    public var sealedPhone: String?
    /// The last four digits of the phone on file, for `•••-•••-1234` without unsealing; `nil` without a phone.
    public var phoneLastFour: String?
    /// "Forget all devices": every remembered device created before this time is void (login.gov's single
    /// revocation timestamp). `nil` when never used.
    public var devicesRevokedAt: Timestamp?
    /// When the account was created (its email confirmed).
    public var createdAt: Timestamp
    /// When the account's password and PIN were last changed, if ever.
    public var credentialsChangedAt: Timestamp?

    /// A record.
    public init(
        id: AccountID, email: EmailAddress, state: AccountState, passwordHash: String?, pinHash: String?,
        credentialVersion: Int64, sealedPhone: String?, phoneLastFour: String?, devicesRevokedAt: Timestamp?,
        createdAt: Timestamp, credentialsChangedAt: Timestamp?
    ) {
        self.id = id
        self.email = email
        self.state = state
        self.passwordHash = passwordHash
        self.pinHash = pinHash
        self.credentialVersion = credentialVersion
        self.sealedPhone = sealedPhone
        self.phoneLastFour = phoneLastFour
        self.devicesRevokedAt = devicesRevokedAt
        self.createdAt = createdAt
        self.credentialsChangedAt = credentialsChangedAt
    }

    /// The id, state and credential version: nothing a log should not hold.
    public var description: String { "AccountRecord(\(id), \(state.rawValue), v\(credentialVersion))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
}

/// The flows a step token belongs to. A token of one flow is refused by every other.
public enum FlowKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sign up: email and password, then the emailed code.
    case signUp = "sign-up"
    /// Sign in: email, password, PIN, second factor.
    case signIn = "sign-in"
    /// Forgot PIN: email, code, password, new PIN.
    case forgotPIN = "forgot-pin"
    /// Forgot password: email, code, PIN (or nothing after a re-verification), new password.
    case forgotPassword = "forgot-password"
    /// Enrolling an authenticator app (signed in): the secret waits here until the first code confirms it.
    case enrollAuthenticator = "enroll-authenticator"
    /// Changing the phone (signed in): the new number waits here until its code confirms it.
    case changePhone = "change-phone"
    /// An operator's identity re-verification: its one row holds the one-time re-enrollment code (as the code's
    /// keyed digest, in place of a token's), for up to 24 hours, until Forgot password consumes it. No client
    /// step ever opens a row of this flow.
    case reenrollment = "re-enrollment"
}

/// Which step of its flow a token stands for: the step that will accept it.
public enum StepKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sign-up: waits for the emailed code.
    case confirmEmail = "confirm-email"
    /// Sign-in: waits for the password.
    case password
    /// Sign-in: waits for the PIN.
    case pin
    /// Sign-in after identity verification, or recovery: waits for a new PIN.
    case newPIN = "new-pin"
    /// Recovery: waits for a new password.
    case newPassword = "new-password"
    /// Sign-in: waits for the choice of a second factor (or a code from an authenticator or a recovery code).
    case chooseSecondFactor = "choose-second-factor"
    /// Sign-in: waits for the texted or emailed second-factor code.
    case secondFactorCode = "second-factor-code"
    /// Recovery: waits for the choice of email or phone for the code.
    case chooseChannel = "choose-channel"
    /// Recovery: waits for the emailed or texted code.
    case recoveryCode = "recovery-code"
    /// Recovery: waits for the second proof (the password for Forgot PIN, the PIN for Forgot password).
    case secondProof = "second-proof"
    /// Signed-in changes: waits for the confirming code (an authenticator's first code, the new phone's code).
    case confirmChange = "confirm-change"
    /// Forgot password for an account whose identity is verified and which has no PIN: waits for the operator's
    /// re-enrollment code. In a ``FlowKind/reenrollment`` row: the code itself.
    case reenrollmentCode = "re-enrollment-code"
}

/// One issued step token, stored as its digest.
///
/// A step is consumed in the change set of the step that accepts it (``Change/consumeStep(_:now:)``), after the
/// slow check ran outside any transaction: of two replicas submitting the same token, both may check, one consumes,
/// the other's change set fails with ``ChangeConflict/stepUnavailable``. A failed check leaves the token usable.
/// Prints its flow and step, never its payload (a pending password hash, sealed values).
public struct StepRecord: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token's digest (the primary key).
    public var digest: TokenDigest
    /// The run of the flow the step belongs to.
    public var flow: FlowID
    /// The flow.
    public var flowKind: FlowKind
    /// The step that accepts this token.
    public var step: StepKind
    /// The account the step is for; `nil` when the email has no account (the flow walks on, identical) or before
    /// sign-up creates it.
    public var account: AccountID?
    /// The comparison key of the email the flow started with (also the lockout key when no account exists).
    public var emailKey: String
    /// The digest of the previous step's token, or `nil` for a flow's first step.
    public var previous: TokenDigest?
    /// The digest of the browser that started the flow (``ClientContext/browserID``).
    public var browser: TokenDigest
    /// The address that started the flow, or `nil` when unknown.
    public var address: String?
    /// When the token was issued.
    public var createdAt: Timestamp
    /// When it stops being accepted.
    public var expiresAt: Timestamp
    /// When it was consumed, or `nil` while usable.
    public var consumedAt: Timestamp?
    /// What the flow carries to later steps, as JSON the flows write and read (a pending password hash for
    /// sign-up, the chosen channel, a sealed pending TOTP secret, …). Opaque to stores; at most 16 KiB.
    public var payload: String

    /// A record.
    public init(
        digest: TokenDigest, flow: FlowID, flowKind: FlowKind, step: StepKind, account: AccountID?, emailKey: String,
        previous: TokenDigest?, browser: TokenDigest, address: String?, createdAt: Timestamp, expiresAt: Timestamp,
        consumedAt: Timestamp?, payload: String
    ) {
        self.digest = digest
        self.flow = flow
        self.flowKind = flowKind
        self.step = step
        self.account = account
        self.emailKey = emailKey
        self.previous = previous
        self.browser = browser
        self.address = address
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
        self.payload = payload
    }

    /// The flow, step and digest prefix: nothing a log should not hold.
    public var description: String { "StepRecord(\(flowKind.rawValue), \(step.rawValue), \(digest))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
}

/// What a session may reach.
public enum SessionAccess: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything the account allows.
    case full
    /// Only the "verify your identity" page: an account whose identity is not yet verified signed in with its
    /// password.
    case identityVerificationPending = "identity-verification-pending"
}

/// One session, stored by its token's digest.
public struct SessionRecord: Sendable, Hashable {
    /// The public identifier (sessions page, "end this session").
    public var id: SessionID
    /// The session token's digest (unique).
    public var tokenDigest: TokenDigest
    /// The account.
    public var account: AccountID
    /// What the session may reach.
    public var access: SessionAccess
    /// When the person last proved their credentials in this session (sign-in, or a re-authentication): sensitive
    /// changes need it within ``SignInConfiguration/reauthenticationWindow``.
    public var authenticatedAt: Timestamp
    /// When the session was created.
    public var createdAt: Timestamp
    /// When the session was last used: it ends ``SignInConfiguration/sessionIdleTimeout`` after this.
    public var lastSeenAt: Timestamp
    /// When it ends whatever happens (``SignInConfiguration/sessionAbsoluteLifetime`` after creation).
    public var expiresAt: Timestamp
    /// The device label at sign-in.
    public var deviceLabel: String
    /// The network at sign-in, if known.
    public var network: NetworkPrefix?
    /// The remembered device the session came from, if any.
    public var device: DeviceID?

    /// A record.
    public init(
        id: SessionID, tokenDigest: TokenDigest, account: AccountID, access: SessionAccess, authenticatedAt: Timestamp,
        createdAt: Timestamp, lastSeenAt: Timestamp, expiresAt: Timestamp, deviceLabel: String, network: NetworkPrefix?,
        device: DeviceID?
    ) {
        self.id = id
        self.tokenDigest = tokenDigest
        self.account = account
        self.access = access
        self.authenticatedAt = authenticatedAt
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.deviceLabel = deviceLabel
        self.network = network
        self.device = device
    }
}

/// A device the person chose to remember after a second factor; its token skips the second factor for 30 days.
public struct RememberedDeviceRecord: Sendable, Hashable {
    /// The public identifier.
    public var id: DeviceID
    /// The device token's digest (unique).
    public var tokenDigest: TokenDigest
    /// The account.
    public var account: AccountID
    /// The device label when it was remembered.
    public var label: String
    /// When it was remembered; void if before the account's ``AccountRecord/devicesRevokedAt``.
    public var createdAt: Timestamp
    /// When it was last used to sign in.
    public var lastUsedAt: Timestamp
    /// When it stops being remembered.
    public var expiresAt: Timestamp

    /// A record.
    public init(
        id: DeviceID, tokenDigest: TokenDigest, account: AccountID, label: String, createdAt: Timestamp,
        lastUsedAt: Timestamp, expiresAt: Timestamp
    ) {
        self.id = id
        self.tokenDigest = tokenDigest
        self.account = account
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }
}

/// An enrolled authenticator app.
public struct AuthenticatorRecord: Sendable, Hashable {
    /// The identifier (also the engine's TOTP replay-marker credential name).
    public var id: AuthenticatorID
    /// The account.
    public var account: AccountID
    /// The TOTP secret, sealed (``Deadbolt/SealingKeyring``, the account id as associated data).
    public var sealedSecret: String
    /// A name the person gave it, or a default.
    public var label: String
    /// When it was confirmed.
    public var createdAt: Timestamp

    /// A record.
    public init(id: AuthenticatorID, account: AccountID, sealedSecret: String, label: String, createdAt: Timestamp) {
        self.id = id
        self.account = account
        self.sealedSecret = sealedSecret
        self.label = label
        self.createdAt = createdAt
    }
}

/// How an identity was verified.
public enum ProofingMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// An operator checked the person's documents and approved (the reference implementation).
    case operatorApproval = "operator-approval"
}

/// The record that a person's identity was verified, with the personal facts the PIN policy needs, sealed.
public struct IdentityProofingRecord: Sendable, Hashable {
    /// The account.
    public var account: AccountID
    /// How it was verified.
    public var method: ProofingMethod
    /// Where the evidence is kept (a case number, a document reference), at most 256 bytes. Never the evidence.
    public var evidenceReference: String
    /// Who approved (an operator's name or id), at most 128 bytes.
    public var approvedBy: String
    /// When.
    public var verifiedAt: Timestamp
    /// The ``PersonalFacts`` as sealed JSON (the account id as associated data), opened only to check a new PIN.
    public var sealedFacts: String

    /// A record.
    public init(
        account: AccountID, method: ProofingMethod, evidenceReference: String, approvedBy: String, verifiedAt: Timestamp,
        sealedFacts: String
    ) {
        self.account = account
        self.method = method
        self.evidenceReference = evidenceReference
        self.approvedBy = approvedBy
        self.verifiedAt = verifiedAt
        self.sealedFacts = sealedFacts
    }
}

/// What an account-activity entry records.
public enum ActivityKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The account was created (email confirmed).
    case accountCreated = "account-created"
    /// A sign-in completed.
    case signedIn = "signed-in"
    /// A sign-in completed from a new device or network (a second factor was asked).
    case signedInNewDevice = "signed-in-new-device"
    /// A wrong password was given.
    case passwordFailed = "password-failed"
    /// A wrong PIN was given.
    case pinFailed = "pin-failed"
    /// A wrong second-factor code was given.
    case secondFactorFailed = "second-factor-failed"
    /// Failures locked the account for a while.
    case locked
    /// Failures hard-locked the account.
    case hardLocked = "hard-locked"
    /// An operator or a recovery lifted a lock.
    case unlocked
    /// The PIN was set or changed.
    case pinChanged = "pin-changed"
    /// The password was changed.
    case passwordChanged = "password-changed"
    /// The phone number was changed or added.
    case phoneChanged = "phone-changed"
    /// An authenticator app was added.
    case authenticatorAdded = "authenticator-added"
    /// An authenticator app was removed.
    case authenticatorRemoved = "authenticator-removed"
    /// A new set of recovery codes was generated.
    case recoveryCodesGenerated = "recovery-codes-generated"
    /// A recovery code was used.
    case recoveryCodeUsed = "recovery-code-used"
    /// A session was ended (sign out, or ended from the sessions page).
    case sessionEnded = "session-ended"
    /// Every session was ended.
    case allSessionsEnded = "all-sessions-ended"
    /// A remembered device was forgotten.
    case deviceForgotten = "device-forgotten"
    /// Every remembered device was forgotten.
    case allDevicesForgotten = "all-devices-forgotten"
    /// The identity was verified.
    case identityVerified = "identity-verified"
    /// The person said "this wasn't me".
    case reportedNotMe = "reported-not-me"
}

/// One entry of account activity, kept ``SignInConfiguration/activityRetention`` (90 days by default).
public struct ActivityRecord: Sendable, Hashable {
    /// The identifier (ties within a millisecond are ordered by it).
    public var id: ActivityID
    /// The account.
    public var account: AccountID
    /// What happened.
    public var kind: ActivityKind
    /// When.
    public var at: Timestamp
    /// The approximate address (the network), if known.
    public var network: NetworkPrefix?
    /// The device label, if known.
    public var deviceLabel: String?

    /// A record.
    public init(id: ActivityID, account: AccountID, kind: ActivityKind, at: Timestamp, network: NetworkPrefix?, deviceLabel: String?) {
        self.id = id
        self.account = account
        self.kind = kind
        self.at = at
        self.network = network
        self.deviceLabel = deviceLabel
    }
}

/// Where reading activity continues: the last entry of the page before (keyset pagination, newest first).
public struct ActivityCursor: Sendable, Hashable, Codable {
    /// The time of the last entry shown.
    public var at: Timestamp
    /// The identifier of the last entry shown.
    public var id: ActivityID

    /// A cursor after the entry `id` at `at`.
    public init(at: Timestamp, id: ActivityID) {
        self.at = at
        self.id = id
    }
}

/// One page of account activity, newest first.
public struct ActivityPage: Sendable, Hashable {
    /// The entries.
    public var entries: [ActivityRecord]
    /// Where the next (older) page starts, or `nil` at the end.
    public var next: ActivityCursor?

    /// A page.
    public init(entries: [ActivityRecord], next: ActivityCursor?) {
        self.entries = entries
        self.next = next
    }
}

/// The channel a message goes out on.
public enum DeliveryChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Email.
    case email
    /// A text message.
    case sms
}

/// Where an outbox message stands.
public enum MessageStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its time (``OutboxMessage/notBefore``) or a worker.
    case pending
    /// Delivered to the transport.
    case sent
    /// Withdrawn before delivery (the "someone knows your password" notice when the sign-in completed).
    case cancelled
    /// Given up: out of attempts, permanently refused, or a code message past its expiry (its body erased).
    case failed
}

/// One message in the transactional outbox: written in the change set of the change that causes it, delivered by
/// the ``DeliveryWorker``.
///
/// A message that carries a code, or goes to a phone number, is sealed at rest: ``body`` is the sealed JSON of the
/// destination and the notice (``Deadbolt/SealingKeyring``, the message id as associated data), and it is erased
/// once delivered or past ``expiresAt`` (at most 10 minutes for a code).
public struct OutboxMessage: Sendable, Hashable {
    /// The identifier.
    public var id: MessageID
    /// The account it concerns, if any (not a foreign key: the "account deleted" notice outlives its account).
    public var account: AccountID?
    /// Email or text message.
    public var channel: DeliveryChannel
    /// The JSON of the destination and the notice (``OutboxEnvelope``), or its sealed form when ``isSealed``; empty
    /// once erased.
    public var body: String
    /// Whether ``body`` is sealed.
    public var isSealed: Bool
    /// Whether the message carries a code (erased on delivery or expiry).
    public var carriesCode: Bool
    /// Where the message stands.
    public var status: MessageStatus
    /// When it was written.
    public var createdAt: Timestamp
    /// Not delivered before this (a scheduled notice, a retry's backoff).
    public var notBefore: Timestamp
    /// Not delivered after this, if set; a code message always has one.
    public var expiresAt: Timestamp?
    /// Delivery attempts so far.
    public var attempts: Int
    /// The worker holding the message, while its lease lasts.
    public var leaseOwner: String?
    /// When the lease ends; another worker may claim the message after it.
    public var leaseExpiresAt: Timestamp?
    /// Cancels the message with ``Change/cancelMessages(account:cancelKey:)`` (a flow's id), if set.
    public var cancelKey: String?
    /// The last transport error (never holding the message), for operators.
    public var lastError: String?
    /// When it was delivered.
    public var sentAt: Timestamp?

    /// A record.
    public init(
        id: MessageID, account: AccountID?, channel: DeliveryChannel, body: String, isSealed: Bool, carriesCode: Bool,
        status: MessageStatus, createdAt: Timestamp, notBefore: Timestamp, expiresAt: Timestamp?, attempts: Int,
        leaseOwner: String?, leaseExpiresAt: Timestamp?, cancelKey: String?, lastError: String?, sentAt: Timestamp?
    ) {
        self.id = id
        self.account = account
        self.channel = channel
        self.body = body
        self.isSealed = isSealed
        self.carriesCode = carriesCode
        self.status = status
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.cancelKey = cancelKey
        self.lastError = lastError
        self.sentAt = sentAt
    }
}

/// A network an account has completed a sign-in from.
public struct KnownNetworkRecord: Sendable, Hashable {
    /// The account.
    public var account: AccountID
    /// The network.
    public var network: NetworkPrefix
    /// The first successful sign-in from it.
    public var firstSeenAt: Timestamp
    /// The latest successful sign-in from it.
    public var lastSeenAt: Timestamp

    /// A record.
    public init(account: AccountID, network: NetworkPrefix, firstSeenAt: Timestamp, lastSeenAt: Timestamp) {
        self.account = account
        self.network = network
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
    }
}

/// How many rows one purge removed, per kind.
public struct PurgeCounts: Sendable, Hashable {
    /// Expired or consumed step tokens.
    public var steps: Int
    /// Sessions past their absolute or idle end.
    public var sessions: Int
    /// Remembered devices past their expiry.
    public var devices: Int
    /// Activity entries older than the retention.
    public var activity: Int
    /// Outbox messages sent, cancelled or failed longer ago than the retention.
    public var messages: Int

    /// Counts.
    public init(steps: Int = 0, sessions: Int = 0, devices: Int = 0, activity: Int = 0, messages: Int = 0) {
        self.steps = steps
        self.sessions = sessions
        self.devices = devices
        self.activity = activity
        self.messages = messages
    }
}
