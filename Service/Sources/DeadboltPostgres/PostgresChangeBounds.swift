import DeadboltSignIn

/// The bounds of ``DeadboltSignIn/SignInStoreBounds`` checked before a change set opens a transaction, so an
/// oversized set or field is ``DeadboltSignIn/SignInStoreError/invalid(_:)`` with nothing applied.
enum PostgresChangeBounds {
    static func check(_ set: ChangeSet) throws {
        guard set.changes.count <= ChangeSet.maximumCount else {
            throw SignInStoreError.invalid("a change set holds at most \(ChangeSet.maximumCount) changes")
        }
        for change in set.changes {
            try check(change)
        }
    }

    private static func check(_ change: Change) throws {
        let secret = SignInStoreBounds.maximumSecretFieldLength
        let text = SignInStoreBounds.maximumTextLength
        switch change {
        case .insertAccount(let account):
            try bound(account.passwordHash, secret, "password hash")
            try bound(account.pinHash, secret, "PIN hash")
            try bound(account.sealedPhone, secret, "sealed phone")
            try bound(account.phoneLastFour, text, "phone digits")
        case .setPasswordHash(_, let hash, _, _), .setPINHash(_, let hash, _, _):
            try bound(hash, secret, "credential hash")
        case .rehashCredential(_, _, let previous, let hash):
            try bound(previous, secret, "previous hash")
            try bound(hash, secret, "credential hash")
        case .setPhone(_, let sealedPhone, let lastFour):
            try bound(sealedPhone, secret, "sealed phone")
            try bound(lastFour, text, "phone digits")
        case .insertStep(let step):
            try bound(step.payload, SignInStoreBounds.maximumPayloadLength, "step payload")
            try bound(step.emailKey, text, "email key")
            try bound(step.address, text, "address")
        case .insertSession(let session):
            try bound(session.deviceLabel, text, "device label")
        case .insertRememberedDevice(let device):
            try bound(device.label, text, "device label")
        case .insertAuthenticator(let authenticator):
            try bound(authenticator.sealedSecret, secret, "sealed secret")
            try bound(authenticator.label, text, "authenticator label")
        case .replaceRecoveryCodes(_, let digests, _):
            guard digests.count <= 1000 else { throw SignInStoreError.invalid("at most 1000 recovery codes") }
            for digest in digests { try bound(digest, text, "recovery code digest") }
        case .consumeRecoveryCode(_, let digest):
            try bound(digest, text, "recovery code digest")
        case .putIdentityProofing(let proofing):
            try bound(proofing.evidenceReference, text, "evidence reference")
            try bound(proofing.approvedBy, text, "approver")
            try bound(proofing.sealedFacts, secret, "sealed facts")
        case .appendActivity(let entry):
            try bound(entry.deviceLabel, text, "device label")
        case .enqueueMessage(let message):
            try bound(message.body, SignInStoreBounds.maximumMessageBodyLength, "message body")
            try bound(message.cancelKey, text, "cancel key")
            try bound(message.lastError, text, "error text")
            try bound(message.leaseOwner, text, "worker name")
        case .cancelMessages(_, let cancelKey):
            try bound(cancelKey, text, "cancel key")
        case .setAccountState, .revokeDevices, .deleteAccount, .consumeStep, .touchSession, .reauthenticateSession,
            .endSession, .endSessions, .touchRememberedDevice, .deleteRememberedDevice, .recordNetwork,
            .deleteAuthenticator:
            break
        }
    }

    static func bound(_ value: String?, _ maximum: Int, _ name: String) throws {
        guard let value else { return }
        guard value.utf8.count <= maximum else {
            throw SignInStoreError.invalid("the \(name) is longer than \(maximum) bytes")
        }
        // PostgreSQL's text cannot hold NUL (SQLSTATE 22021): refused here as bad input, not reported as a
        // database failure.
        guard !value.utf8.contains(0) else { throw SignInStoreError.invalid("the \(name) contains a NUL character") }
    }
}
