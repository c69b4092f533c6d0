/// The database of the sign-in system: accounts, credentials, identity proofing, factors, devices, networks,
/// sessions, step tokens, activity and the outbox. ``DeadboltSQLite`` (GRDB) and `DeadboltPostgres` (postgres-nio)
/// implement it; `DeadboltSignInConformance` checks an implementation.
///
/// The shape lets a synchronous-transaction driver (GRDB) and an asynchronous one (postgres-nio) implement it alike,
/// and keeps every transaction short:
/// - **Reads** are plain queries outside any transaction. A step reads, then runs its slow check (Argon2) with no
///   transaction open.
/// - **Writes** of a step are one ``ChangeSet``: typed changes with preconditions, applied by ``apply(_:)`` in one
///   transaction, in order; a failed precondition rolls everything back and throws
///   ``SignInStoreError/conflict(index:reason:)``. What a read saw and the check decided is re-asserted by the
///   preconditions (the step token still unconsumed, the credential version unchanged), so no lock is held across
///   the slow check.
/// - **The outbox** has its own operations, for workers: claim a batch with a lease, mark sent, reschedule, erase
///   expired code messages.
/// - **Purge** removes what expired.
///
/// Every query is parameterized. A store fails with ``SignInStoreError`` only; a failure in the middle of a change
/// set (a lost connection, a full disk) leaves the stored state exactly as before.
public protocol SignInStore: Sendable {
    // MARK: Reads

    /// The account with this id.
    func account(id: AccountID) async throws -> AccountRecord?
    /// The account whose email has this ``EmailAddress/comparisonKey``.
    func account(emailKey: String) async throws -> AccountRecord?
    /// The step token with this digest, consumed or not, expired or not.
    func step(digest: TokenDigest) async throws -> StepRecord?
    /// The session with this token digest, ended sessions excluded (an ended session's row is deleted).
    func session(tokenDigest: TokenDigest) async throws -> SessionRecord?
    /// The account's sessions, newest first.
    func sessions(account: AccountID) async throws -> [SessionRecord]
    /// The remembered device with this token digest.
    func rememberedDevice(tokenDigest: TokenDigest) async throws -> RememberedDeviceRecord?
    /// The account's remembered devices, newest first.
    func rememberedDevices(account: AccountID) async throws -> [RememberedDeviceRecord]
    /// The account's record for `network`, if it ever completed a sign-in from it.
    func knownNetwork(account: AccountID, network: NetworkPrefix) async throws -> KnownNetworkRecord?
    /// The account's authenticators, oldest first.
    func authenticators(account: AccountID) async throws -> [AuthenticatorRecord]
    /// The account's unused recovery-code digests (hex).
    func recoveryCodeDigests(account: AccountID) async throws -> [String]
    /// The account's identity-proofing record.
    func identityProofing(account: AccountID) async throws -> IdentityProofingRecord?
    /// Up to `limit` (1 to 100) activity entries of the account, newest first (by time, then id), after `cursor`.
    func activity(account: AccountID, after cursor: ActivityCursor?, limit: Int) async throws -> ActivityPage
    /// The outbox message with this id.
    func message(id: MessageID) async throws -> OutboxMessage?

    // MARK: Writes

    /// Applies every change of `changes` in one transaction, in order.
    /// - Throws: ``SignInStoreError/conflict(index:reason:)`` for the first failed precondition (nothing applied),
    ///   ``SignInStoreError/invalid(_:)`` for a set over ``ChangeSet/maximumCount`` or a record out of bounds,
    ///   ``SignInStoreError/unavailable(_:)`` when the database fails (nothing applied).
    func apply(_ changes: ChangeSet) async throws

    // MARK: Outbox

    /// Claims up to `limit` pending messages due at `now` (``OutboxMessage/notBefore`` reached, not expired, not
    /// leased or lease ended), oldest due first, for `worker` until `now + lease`; raises each one's attempt count.
    /// Two workers never hold one message at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
    func claimMessages(worker: String, now: Timestamp, lease: Duration, limit: Int) async throws -> [OutboxMessage]
    /// Marks a message delivered, if `worker` still holds its lease: status sent, sent time `now`, the lease
    /// released; a message that carries a code has its body erased. Returns `false` when the lease was lost.
    func markSent(_ id: MessageID, worker: String, now: Timestamp) async throws -> Bool
    /// Releases a message `worker` holds for another try at `notBefore`, recording `error` (never a message's
    /// content); or, with `giveUp`, marks it failed (erasing a code message's body). Returns `false` when the lease
    /// was lost.
    func reschedule(_ id: MessageID, worker: String, notBefore: Timestamp, error: String, giveUp: Bool) async throws -> Bool
    /// Marks failed, and erases the body of, every pending message past its expiry at `now`. Returns how many.
    func expireMessages(now: Timestamp) async throws -> Int

    // MARK: Purge

    /// Deletes step tokens expired before `now`, sessions past their end (`expiresAt` before `now`, or idle since
    /// before `idleBefore`), remembered devices expired before `now`, activity before `activityBefore`, and
    /// messages no longer pending created before `messagesBefore`.
    func purge(now: Timestamp, idleBefore: Timestamp, activityBefore: Timestamp, messagesBefore: Timestamp) async throws -> PurgeCounts
}

/// Why a store could not answer or apply a change set. Never holds a secret, a token or a code.
public enum SignInStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A precondition failed at change `index` (0-based) of the set; nothing was applied.
    case conflict(index: Int, reason: ChangeConflict)
    /// The request is out of bounds (too many changes, a field too long, a limit out of range); nothing was applied.
    case invalid(String)
    /// The database failed or could not be reached; nothing was applied. `reason` names the failure, never data.
    case unavailable(String)
    /// A stored row could not be read back (a value out of its domain): the database was changed outside the store.
    case corrupt(String)

    public var description: String {
        switch self {
        case .conflict(let index, let reason): "change \(index) of the set failed its precondition: \(reason)"
        case .invalid(let reason): "invalid store request: \(reason)"
        case .unavailable(let reason): "the sign-in database is unavailable: \(reason)"
        case .corrupt(let reason): "a stored row is corrupt: \(reason)"
        }
    }
}

/// The bounds every store enforces on what it writes, so the backends refuse the same records.
public enum SignInStoreBounds {
    /// The longest step payload, in UTF-8 bytes.
    public static let maximumPayloadLength = 16 * 1024
    /// The longest PHC string or sealed text stored, in UTF-8 bytes.
    public static let maximumSecretFieldLength = 4096
    /// The longest outbox body, in UTF-8 bytes.
    public static let maximumMessageBodyLength = 64 * 1024
    /// The longest label, evidence reference, approver, worker name or error text, in UTF-8 bytes.
    public static let maximumTextLength = 512
    /// The most activity entries one read returns.
    public static let maximumActivityPage = 100
    /// The most messages one claim returns.
    public static let maximumClaim = 100
}

extension SignInStoreBounds {
    /// Checks every record of `changes` against the bounds, before any is applied; every store calls it first.
    /// - Throws: ``SignInStoreError/invalid(_:)`` naming the first change out of bounds.
    public static func check(_ changes: ChangeSet) throws {
        guard changes.changes.count <= ChangeSet.maximumCount else {
            throw SignInStoreError.invalid("a change set holds at most \(ChangeSet.maximumCount) changes")
        }
        for (index, change) in changes.changes.enumerated() {
            if let problem = problem(in: change) { throw SignInStoreError.invalid("change \(index): \(problem)") }
        }
    }

    /// Checks a read's page size.
    /// - Throws: ``SignInStoreError/invalid(_:)``.
    public static func checkLimit(_ limit: Int, maximum: Int) throws {
        guard (1...maximum).contains(limit) else { throw SignInStoreError.invalid("the limit must be 1 to \(maximum)") }
    }

    private static func problem(in change: Change) -> String? {
        func long(_ text: String?, _ maximum: Int) -> Bool { (text?.utf8.count ?? 0) > maximum }
        switch change {
        case .insertAccount(let account):
            if long(account.passwordHash, maximumSecretFieldLength) || long(account.pinHash, maximumSecretFieldLength)
                || long(account.sealedPhone, maximumSecretFieldLength)
            {
                return "a credential or sealed field is too long"
            }
            if long(account.phoneLastFour, 4) { return "the phone's last four is too long" }
        case .setPasswordHash(_, let hash, _, _), .setPINHash(_, let hash, _, _):
            if long(hash, maximumSecretFieldLength) { return "the hash is too long" }
        case .rehashCredential(_, _, let previous, let hash):
            if long(previous, maximumSecretFieldLength) || long(hash, maximumSecretFieldLength) { return "the hash is too long" }
        case .setPhone(_, let sealed, let lastFour):
            if long(sealed, maximumSecretFieldLength) || long(lastFour, 4) { return "the phone is too long" }
        case .insertStep(let step):
            if long(step.payload, maximumPayloadLength) { return "the payload is too long" }
            if long(step.emailKey, 1024) || long(step.address, 64) { return "the email key or address is too long" }
        case .insertSession(let session):
            if long(session.deviceLabel, maximumTextLength) || long(session.network?.text, 64) { return "a label is too long" }
        case .insertRememberedDevice(let device):
            if long(device.label, maximumTextLength) { return "the label is too long" }
        case .recordNetwork(_, let network, _):
            if long(network.text, 64) { return "the network is too long" }
        case .insertAuthenticator(let authenticator):
            if long(authenticator.sealedSecret, maximumSecretFieldLength) || long(authenticator.label, maximumTextLength) {
                return "the secret or label is too long"
            }
        case .replaceRecoveryCodes(_, let digests, _):
            if digests.count > 100 || digests.contains(where: { long($0, 128) }) { return "too many or too long recovery-code digests" }
        case .consumeRecoveryCode(_, let digest):
            if long(digest, 128) { return "the digest is too long" }
        case .putIdentityProofing(let proofing):
            if long(proofing.evidenceReference, maximumTextLength) || long(proofing.approvedBy, maximumTextLength)
                || long(proofing.sealedFacts, maximumSecretFieldLength)
            {
                return "a proofing field is too long"
            }
        case .appendActivity(let entry):
            if long(entry.deviceLabel, maximumTextLength) || long(entry.network?.text, 64) { return "a label is too long" }
        case .enqueueMessage(let message):
            if long(message.body, maximumMessageBodyLength) || long(message.cancelKey, 64) { return "the body or cancel key is too long" }
        case .cancelMessages(_, let key):
            if long(key, 64) { return "the cancel key is too long" }
        case .setAccountState, .revokeDevices, .deleteAccount, .consumeStep, .touchSession, .reauthenticateSession, .endSession,
            .endSessions, .touchRememberedDevice, .deleteRememberedDevice, .deleteAuthenticator:
            break
        }
        return nil
    }
}
