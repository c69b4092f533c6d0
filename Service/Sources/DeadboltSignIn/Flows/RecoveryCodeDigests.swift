import Deadbolt

extension FlowContext {
    /// The keyed digest a recovery code is stored under, in the database (durable: a restart of the state store
    /// loses none). Codes come from the engine's ``Deadbolt/RecoveryCodes/generate(count:)``; the digest is
    /// HMAC-SHA-256 under a key derived from the server key, over a domain label, the account and the normalized
    /// code, length-prefixed as the engine's own code digests are. When the engine exposes its recovery-code digest
    /// publicly, this function becomes that one call.
    func recoveryCodeDigest(_ code: String, account: AccountID) throws -> String? {
        guard code.utf8.count <= 64 else { return nil }
        var normalized: [UInt8] = []
        for byte in code.utf8 where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "-") {
            normalized.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
        }
        defer { SecretBytes.wipe(&normalized) }
        guard normalized.count == RecoveryCodes.symbolsPerCode, normalized.allSatisfy(CodeAlphabet.unambiguous.contains) else { return nil }
        var message = Array("deadbolt.sign-in.recovery-code.v1".utf8)
        for field in [Array(account.rawValue.utf8), normalized] {
            let length = UInt32(field.count)
            message += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + field
        }
        defer { SecretBytes.wipe(&message) }
        return Hex.encode(try HMAC.authenticationCode(for: message, using: secrets.recoveryCodeKey, hash: .sha256))
    }

    /// Checks a recovery code under the account's second-factor budget (the engine verifier's key and schedule).
    /// Accepted: the changes that consume it (single use across replicas: the consume is a precondition), log it
    /// and notify. The caller commits them with the session.
    func redeemRecoveryCode(_ code: String, account: AccountRecord, client: ClientContext) async throws -> (OneTimeCodeOutcome, [Change]) {
        let key = try OneTimeCodeVerifier.lockoutKey(account: account.id.rawValue)
        let reservation = try await stateCall { try await stateStore.reserveAttempt(key, schedule: configuration.secondFactorLockout) }
        switch reservation {
        case .locked(let wait): return (.locked(retryAfter: wait), [])
        case .hardLocked: return (.locked(retryAfter: nil), [])
        case .admitted: break
        }
        let digests = try await storeCall { try await store.recoveryCodeDigests(account: account.id) }
        guard let digest = try recoveryCodeDigest(code, account: account.id),
            let match = digests.first(where: { ConstantTime.equals(Array($0.utf8), Array(digest.utf8)) })
        else {
            await events.record(SecurityEvent(kind: .codeRejected, millisecondsSinceEpoch: now.millisecondsSinceEpoch, account: account.id.rawValue))
            return (.rejected, [])
        }
        try await stateCall { try await stateStore.resetAttempts(key) }
        await events.record(SecurityEvent(kind: .recoveryCodeUsed, millisecondsSinceEpoch: now.millisecondsSinceEpoch, account: account.id.rawValue))
        let remaining = digests.count - 1
        var changes: [Change] = [
            .consumeRecoveryCode(account: account.id, digest: match),
            try activity(.recoveryCodeUsed, account: account.id, client: client),
        ]
        changes += try notifyEveryChannel(.recoveryCodeUsed(remaining: remaining, at: now), account: account)
        return (.accepted(OneTimeCodeAcceptance(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: remaining)), changes)
    }
}
