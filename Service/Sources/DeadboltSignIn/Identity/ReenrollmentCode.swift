import Deadbolt

/// The one-time re-enrollment code an identity re-verification issues (``IdentityProofingOutcome/reverified(_:reenrollmentCode:)``):
/// the operator shows it once and hands it to the person during the verification, and Forgot password asks for it,
/// after the emailed code, before a new password may be set.
///
/// It closes the window a mailbox alone would open: a re-verification voids the PIN and the password, so without
/// it whoever read the person's mail could choose the new password first. The code is 13 symbols of the engine's
/// ``Deadbolt/CodeAlphabet/unambiguous`` alphabet (64.4 bits, drawn as ``Deadbolt/RecoveryCodes/generate(count:)``
/// draws a recovery code), shown as `XXXX-XXXX-XXXXX`; it is stored only as a keyed digest
/// (``Deadbolt/RecoveryCodes/digest(of:account:hashingKey:)`` under a key of its own, bound to the account), works
/// for ``SignInConfiguration/reenrollmentCodeLifetime`` (24 hours), once, and only until the account's credentials
/// change again; wrong codes are limited by ``SignInConfiguration/reenrollmentCodeLockout`` (10 at most).
///
/// Prints as its expiry only, never the code.
public struct ReenrollmentCode: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The code, `XXXX-XXXX-XXXXX`. A secret: show it once to the operator, never log or store it.
    public let code: String
    /// When it stops working.
    public let expiresAt: Timestamp

    /// Redacted: the expiry only.
    public var description: String { "ReenrollmentCode(redacted, expires \(expiresAt))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
}

extension FlowContext {
    /// The browser binding of a re-enrollment row: shorter than any client's browser id (16 bytes at least), so no
    /// client ever presents it.
    static let reenrollmentBinding = "operator"

    /// The row key of a re-enrollment code for `account`: the engine's keyed code digest; `nil` for input that is
    /// not 13 symbols of the alphabet once normalized.
    func reenrollmentDigest(_ code: String, account: AccountID) throws -> TokenDigest? {
        do {
            return try RecoveryCodes.digest(of: code, account: account.rawValue, hashingKey: secrets.reenrollmentCodeKey)
                .flatMap { TokenDigest(bytes: $0) }
        } catch {
            throw SignInError.misconfigured("the re-enrollment-code key failed")
        }
    }

    /// A new re-enrollment code for `account`, and the change that stores its digest: a ``FlowKind/reenrollment``
    /// row valid for the configured lifetime and for the credential version `credentialVersion` (the one the
    /// re-verification's change set leaves).
    func issueReenrollmentCode(for account: AccountRecord, credentialVersion: Int64) throws -> (ReenrollmentCode, Change) {
        let code: String
        do {
            guard let drawn = try RecoveryCodes.generate(count: 1).first else { throw SignInError.misconfigured("no code was drawn") }
            code = drawn
        } catch let error as SignInError {
            throw error
        } catch {
            throw SignInError.misconfigured("could not draw a re-enrollment code: \(error)")
        }
        guard let digest = try reenrollmentDigest(code, account: account.id) else {
            throw SignInError.misconfigured("a drawn re-enrollment code does not normalize")
        }
        let now = self.now
        var payload = StepPayload(email: account.email.address)
        payload.credentialVersion = credentialVersion
        let record = StepRecord(
            digest: digest, flow: try FlowID.random(), flowKind: .reenrollment, step: .reenrollmentCode, account: account.id,
            emailKey: account.email.comparisonKey, previous: nil, browser: try secrets.tokens.digest(browserID: Self.reenrollmentBinding),
            address: nil, createdAt: now, expiresAt: now.adding(configuration.reenrollmentCodeLifetime), consumedAt: nil,
            payload: payload.encoded)
        return (ReenrollmentCode(code: code, expiresAt: record.expiresAt), .insertStep(record))
    }

    /// The stored re-enrollment row `code` names for `account`, when it is one, unused, unexpired and issued for the
    /// account's current credential version; `nil` otherwise (the same whatever failed). A look-up by a keyed digest:
    /// its timing tells nothing about other codes.
    func openReenrollmentCode(_ code: String, account: AccountRecord) async throws -> TokenDigest? {
        guard let digest = try reenrollmentDigest(code, account: account.id),
            let record = try await storeCall({ try await store.step(digest: digest) }),
            record.flowKind == .reenrollment, record.step == .reenrollmentCode, record.account == account.id,
            record.consumedAt == nil, now < record.expiresAt,
            try StepPayload.decode(record.payload).credentialVersion == account.credentialVersion
        else { return nil }
        return digest
    }
}
