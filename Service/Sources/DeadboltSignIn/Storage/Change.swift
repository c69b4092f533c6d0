/// One write of a step, with its precondition. A ``ChangeSet`` lists them; a store applies them in one transaction,
/// in order, and when any precondition fails rolls back all of them and throws
/// ``SignInStoreError/conflict(index:reason:)`` naming it.
///
/// Preconditions make "one winner" explicit: each is a conditional write on one row (an `UPDATE … WHERE` whose
/// affected-row count must be one, an `INSERT` that a unique index may refuse), which SQLite's single writer and
/// PostgreSQL's row locks both decide for exactly one of two racing transactions. The domain logic that chooses
/// the changes lives once, in the flows; a store only applies them.
public enum Change: Sendable, Hashable {
    // MARK: Accounts

    /// Inserts an account. Fails with ``ChangeConflict/emailTaken`` when another account has the same
    /// ``EmailAddress/comparisonKey``, ``ChangeConflict/duplicate`` when the id exists.
    case insertAccount(AccountRecord)
    /// Sets the password hash (or voids it with `nil`) where the account's credential version is still
    /// `expectedCredentialVersion`, raising the version by one and stamping ``AccountRecord/credentialsChangedAt``
    /// with `at`. Fails with ``ChangeConflict/credentialVersionChanged`` (also when the account is gone).
    case setPasswordHash(account: AccountID, hash: String?, expectedCredentialVersion: Int64, at: Timestamp)
    /// Sets the PIN hash (or voids it), as ``setPasswordHash(account:hash:expectedCredentialVersion:at:)``.
    case setPINHash(account: AccountID, hash: String?, expectedCredentialVersion: Int64, at: Timestamp)
    /// Replaces a hash with its rehash under the current parameters (rehash on login), only while the stored hash is
    /// still `previous`; does not raise the version. Fails with ``ChangeConflict/credentialVersionChanged``.
    case rehashCredential(account: AccountID, credential: CredentialKind, previous: String, hash: String)
    /// Sets the account's state. Fails with ``ChangeConflict/accountMissing``.
    case setAccountState(account: AccountID, state: AccountState)
    /// Sets (or clears) the phone on file. Fails with ``ChangeConflict/accountMissing``.
    case setPhone(account: AccountID, sealedPhone: String?, lastFour: String?)
    /// "Forget all devices": sets the revocation time and deletes the account's remembered devices. Fails with
    /// ``ChangeConflict/accountMissing``.
    case revokeDevices(account: AccountID, at: Timestamp)
    /// Deletes the account and every row that hangs from it (steps, sessions, devices, networks, authenticators,
    /// recovery codes, proofing, activity, its pending messages). Fails with ``ChangeConflict/accountMissing``.
    case deleteAccount(AccountID)

    // MARK: Steps

    /// Inserts a step token. Fails with ``ChangeConflict/duplicate`` when the digest exists.
    case insertStep(StepRecord)
    /// Consumes a step token: sets its consumed time where it is unconsumed and `now` is before its expiry. Fails
    /// with ``ChangeConflict/stepUnavailable`` otherwise (another replica won, it expired, it never existed).
    case consumeStep(TokenDigest, now: Timestamp)

    // MARK: Sessions and devices

    /// Inserts a session. Fails with ``ChangeConflict/duplicate`` or ``ChangeConflict/accountMissing``.
    case insertSession(SessionRecord)
    /// Records use of a session: sets its last-seen time where it has not ended. Fails with
    /// ``ChangeConflict/sessionMissing``.
    case touchSession(SessionID, at: Timestamp)
    /// Sets a session's authentication time (a re-authentication). Fails with ``ChangeConflict/sessionMissing``.
    case reauthenticateSession(SessionID, at: Timestamp)
    /// Ends one session of an account. Fails with ``ChangeConflict/sessionMissing``.
    case endSession(SessionID, account: AccountID)
    /// Ends every session of the account, but `except` if given. Never fails.
    case endSessions(account: AccountID, except: SessionID?)
    /// Remembers a device. Fails with ``ChangeConflict/duplicate`` or ``ChangeConflict/accountMissing``.
    case insertRememberedDevice(RememberedDeviceRecord)
    /// Records a sign-in from a remembered device. Fails with ``ChangeConflict/deviceMissing``.
    case touchRememberedDevice(DeviceID, at: Timestamp)
    /// Forgets one remembered device of an account. Fails with ``ChangeConflict/deviceMissing``.
    case deleteRememberedDevice(DeviceID, account: AccountID)
    /// Records a successful sign-in from a network (inserting it, or moving its last-seen time). Never fails but
    /// for a missing account (``ChangeConflict/accountMissing``).
    case recordNetwork(account: AccountID, network: NetworkPrefix, at: Timestamp)

    // MARK: Factors and identity

    /// Adds an authenticator. Fails with ``ChangeConflict/duplicate`` or ``ChangeConflict/accountMissing``.
    case insertAuthenticator(AuthenticatorRecord)
    /// Removes an authenticator of an account. Fails with ``ChangeConflict/authenticatorMissing``.
    case deleteAuthenticator(AuthenticatorID, account: AccountID)
    /// Replaces the account's recovery codes with `digests` (keyed digests, hex; empty removes them all). Fails
    /// with ``ChangeConflict/accountMissing``.
    case replaceRecoveryCodes(account: AccountID, digests: [String], at: Timestamp)
    /// Deletes one recovery code by its digest. Fails with ``ChangeConflict/recoveryCodeMissing`` (used already,
    /// or never issued): of two replicas redeeming one code, one succeeds.
    case consumeRecoveryCode(account: AccountID, digest: String)
    /// Records an identity verification, replacing an earlier one. Fails with ``ChangeConflict/accountMissing``.
    case putIdentityProofing(IdentityProofingRecord)

    // MARK: Activity and outbox

    /// Appends an activity entry. Fails with ``ChangeConflict/accountMissing``.
    case appendActivity(ActivityRecord)
    /// Writes a message to the outbox. Fails with ``ChangeConflict/duplicate``.
    case enqueueMessage(OutboxMessage)
    /// Cancels the account's pending messages that carry `cancelKey`. Never fails.
    case cancelMessages(account: AccountID, cancelKey: String)
}

/// Which of an account's credentials.
public enum CredentialKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The password.
    case password
    /// The login PIN.
    case pin
}

/// The precondition a change failed. Stores report the first one and roll back the whole set.
public enum ChangeConflict: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Another account has this email.
    case emailTaken = "email-taken"
    /// A row with this primary key or token digest exists.
    case duplicate
    /// The account does not exist.
    case accountMissing = "account-missing"
    /// The account's credential version (or the hash being replaced) is not the expected one: another change landed
    /// first.
    case credentialVersionChanged = "credential-version-changed"
    /// The step token is consumed, expired or unknown.
    case stepUnavailable = "step-unavailable"
    /// The session does not exist (ended, or another account's).
    case sessionMissing = "session-missing"
    /// The remembered device does not exist.
    case deviceMissing = "device-missing"
    /// The authenticator does not exist.
    case authenticatorMissing = "authenticator-missing"
    /// The recovery code is not (or no longer) there.
    case recoveryCodeMissing = "recovery-code-missing"

    public var description: String { rawValue }
}

/// The writes of one step, applied atomically by ``SignInStore/apply(_:)``.
public struct ChangeSet: Sendable, Hashable {
    /// The changes, in the order they are applied.
    public var changes: [Change]

    /// The most changes one set may hold: a step writes a handful; a bound keeps one transaction small.
    public static let maximumCount = 256

    /// A change set.
    public init(_ changes: [Change] = []) {
        self.changes = changes
    }

    /// Appends a change.
    public mutating func append(_ change: Change) {
        changes.append(change)
    }

    /// Appends changes.
    public mutating func append(contentsOf more: [Change]) {
        changes.append(contentsOf: more)
    }
}
