import Deadbolt
import Foundation

/// The reference ``IdentityProofing``: an operator checked the person's documents and approves (the reference
/// server's `admin verify-identity EMAIL` calls ``record(_:email:)``). No pretend proofing: the evidence stays
/// where the operator keeps it, and only its reference is recorded.
///
/// A first verification moves the account to "needs a PIN" and ends its verify-your-identity sessions. A second
/// one (the person lost both PIN and password) voids both, ends every session, forgets every device and returns a
/// one-time ``ReenrollmentCode`` for the operator to hand over; the person then uses Forgot password (the emailed
/// code and the re-enrollment code) and sets a PIN at the next sign-in.
public struct OperatorIdentityProofing: IdentityProofing {
    let context: FlowContext

    public func record(_ proof: IdentityProof, email: EmailAddress) async throws -> IdentityProofingOutcome {
        guard let account = try await context.storeCall({ try await context.store.account(emailKey: email.comparisonKey) }) else {
            throw SignInError.notFound
        }
        let previous = try await context.storeCall { try await context.store.identityProofing(account: account.id) }
        let reverified = previous != nil || account.pinHash != nil
        let now = context.now
        let facts = String(decoding: try JSONEncoder().encode(proof.facts), as: UTF8.self)
        var changes: [Change] = [
            .putIdentityProofing(
                IdentityProofingRecord(
                    account: account.id, method: proof.method, evidenceReference: proof.evidenceReference, approvedBy: proof.approvedBy,
                    verifiedAt: now, sealedFacts: try context.sealText(facts, binding: account.id.rawValue))),
            .endSessions(account: account.id, except: nil),
            try context.activity(.identityVerified, account: account.id, client: nil),
        ]
        if let phone = proof.facts.phoneNumber {
            let digits = try AccountSettings.phoneDigits(phone)
            changes.append(.setPhone(account: account.id, sealedPhone: try context.sealText(phone, binding: account.id.rawValue), lastFour: String(digits.suffix(4))))
        }
        var reenrollmentCode: ReenrollmentCode?
        if reverified {
            // Two credential changes: the version the account is left at, which the code is bound to.
            let (code, stored) = try context.issueReenrollmentCode(for: account, credentialVersion: account.credentialVersion + 2)
            reenrollmentCode = code
            changes += [
                .setPasswordHash(account: account.id, hash: nil, expectedCredentialVersion: account.credentialVersion, at: now),
                .setPINHash(account: account.id, hash: nil, expectedCredentialVersion: account.credentialVersion + 1, at: now),
                .setAccountState(account: account.id, state: .credentialsVoided),
                .revokeDevices(account: account.id, at: now),
                stored,
            ]
        } else {
            changes.append(.setAccountState(account: account.id, state: .needsPIN))
        }
        // Every channel on file before the change: the email, and the phone the facts may be replacing.
        changes += try context.notifyEveryChannel(.identityVerified(credentialsVoided: reverified, at: now), account: account)
        try await context.commit(ChangeSet(changes))
        if reverified { try await context.clearLocks(account) }
        if let reenrollmentCode { return .reverified(account.id, reenrollmentCode: reenrollmentCode) }
        return .verified(account.id)
    }
}

/// An account's status for an operator: never a secret, a hash or a personal fact.
public struct AccountStatus: Sendable, Equatable {
    /// The account.
    public let id: AccountID
    /// Its email.
    public let email: EmailAddress
    /// Its state.
    public let state: AccountState
    /// When it was created.
    public let createdAt: Timestamp
    /// When its identity was verified, and by whom.
    public let identityVerifiedAt: Timestamp?
    /// Who approved the verification.
    public let identityApprovedBy: String?
    /// The password lockout (under the email).
    public let passwordLock: LockoutStatus
    /// The PIN lockout.
    public let pinLock: LockoutStatus
    /// Live sessions.
    public let sessions: Int
    /// Remembered devices.
    public let rememberedDevices: Int
    /// Authenticators.
    public let authenticators: Int
    /// Unused recovery codes.
    public let recoveryCodesLeft: Int
    /// Whether a phone is on file.
    public let hasPhone: Bool
}

/// Operator actions (the reference server's `admin show` and `admin unlock`).
public struct Administration: Sendable {
    let context: FlowContext

    /// The account's status, or `nil` when no account has the address.
    /// - Throws: ``SignInError/unavailable``.
    public func status(email: EmailAddress) async throws -> AccountStatus? {
        guard let account = try await context.storeCall({ try await context.store.account(emailKey: email.comparisonKey) }) else {
            return nil
        }
        let proofing = try await context.storeCall { try await context.store.identityProofing(account: account.id) }
        let passwordLock = try await context.stateCall {
            try await context.passwordLockout.status(account: FlowContext.passwordLockIdentity(emailKey: account.email.comparisonKey, account: account))
        }
        let pinLock = try await context.stateCall { try await context.pinLockout.status(account: FlowContext.pinLockIdentity(account)) }
        return AccountStatus(
            id: account.id, email: account.email, state: account.state, createdAt: account.createdAt,
            identityVerifiedAt: proofing?.verifiedAt, identityApprovedBy: proofing?.approvedBy, passwordLock: passwordLock, pinLock: pinLock,
            sessions: try await context.storeCall { try await context.store.sessions(account: account.id) }.count,
            rememberedDevices: try await context.storeCall { try await context.store.rememberedDevices(account: account.id) }.count,
            authenticators: try await context.storeCall { try await context.store.authenticators(account: account.id) }.count,
            recoveryCodesLeft: try await context.storeCall { try await context.store.recoveryCodeDigests(account: account.id) }.count,
            hasPhone: account.sealedPhone != nil)
    }

    /// Lifts every lock on the account, hard locks included, from every address, and records it in the account's
    /// activity. It moves the account's credential version on (the PIN hash is rewritten unchanged), and with it
    /// every lockout key of the account (``FlowContext/pinLockIdentity(_:)``); flows in progress start again.
    /// - Throws: ``SignInError/notFound``, ``SignInError/concurrentChange``, ``SignInError/unavailable``.
    public func unlock(email: EmailAddress) async throws {
        guard let account = try await context.storeCall({ try await context.store.account(emailKey: email.comparisonKey) }) else {
            throw SignInError.notFound
        }
        try await context.commit(
            ChangeSet([
                .setPINHash(account: account.id, hash: account.pinHash, expectedCredentialVersion: account.credentialVersion, at: context.now),
                try context.activity(.unlocked, account: account.id, client: nil),
            ]))
        try await context.stateCall { try await context.stateStore.clearLockout(try OneTimeCodeVerifier.lockoutKey(account: account.id.rawValue)) }
    }
}
