import Deadbolt

extension FlowContext {
    /// The keyed digest a recovery code is stored under in the database (durable: a restart of the state store loses
    /// none): the engine's ``Deadbolt/RecoveryCodes/digest(of:account:hashingKey:)`` under the recovery-code key
    /// derived from the server key, so the input is read exactly as the engine reads recovery codes. `nil` for a
    /// code that is not 13 symbols of the alphabet once normalized (none can match it).
    func recoveryCodeDigest(_ code: String, account: AccountID) throws -> [UInt8]? {
        do {
            return try RecoveryCodes.digest(of: code, account: account.rawValue, hashingKey: secrets.recoveryCodeKey)
        } catch {
            throw SignInError.misconfigured("the recovery-code key failed")
        }
    }

    /// Checks a recovery code under the account's second-factor budget (the engine verifier's key and schedule),
    /// reserved before the look-up. The presented code's digest is compared with every stored digest (no early
    /// exit: ``ConstantTimeScan``). Accepted: the changes that consume it (single use across replicas: the consume
    /// is a precondition), log it and notify. The caller commits them with the session.
    func redeemRecoveryCode(_ code: String, account: AccountRecord, client: ClientContext) async throws -> (OneTimeCodeOutcome, [Change]) {
        let key = try OneTimeCodeVerifier.lockoutKey(account: account.id.rawValue)
        let reservation = try await stateCall { try await stateStore.reserveAttempt(key, schedule: configuration.secondFactorLockout) }
        switch reservation {
        case .locked(let wait): return (.locked(retryAfter: wait), [])
        case .hardLocked: return (.locked(retryAfter: nil), [])
        case .admitted: break
        }
        let stored = try await storeCall { try await store.recoveryCodeDigests(account: account.id) }
        let match = try recoveryCodeDigest(code, account: account.id).flatMap { presented in
            ConstantTimeScan.firstMatch(of: presented, in: stored.map { Hex.decode($0) ?? [] })
        }
        guard let match else {
            await events.record(SecurityEvent(kind: .codeRejected, millisecondsSinceEpoch: now.millisecondsSinceEpoch, account: account.id.rawValue))
            return (.rejected, [])
        }
        try await stateCall { try await stateStore.resetAttempts(key) }
        await events.record(SecurityEvent(kind: .recoveryCodeUsed, millisecondsSinceEpoch: now.millisecondsSinceEpoch, account: account.id.rawValue))
        let remaining = stored.count - 1
        var changes: [Change] = [
            .consumeRecoveryCode(account: account.id, digest: stored[match]),
            try activity(.recoveryCodeUsed, account: account.id, client: client),
        ]
        changes += try notifyEveryChannel(.recoveryCodeUsed(remaining: remaining, at: now), account: account)
        return (.accepted(OneTimeCodeAcceptance(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: remaining)), changes)
    }
}
