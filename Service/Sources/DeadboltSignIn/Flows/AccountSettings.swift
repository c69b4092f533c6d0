import Deadbolt

/// The answer of a second-factor change on the account.
public enum FactorChangeAnswer: Sendable, Hashable {
    /// A code was sent to the new phone: confirm it with this token (``AccountSettings/confirmPhoneChange(_:token:code:client:)``).
    case codeSent(StepToken, to: CodeDestination)
    /// The authenticator was added.
    case authenticatorAdded(AuthenticatorID)
    /// The phone was changed.
    case phoneChanged
    /// The code is wrong, expired or used. The same token may be used again.
    case wrongCode
    /// Too many wrong codes: try again after `retryAfter` (`nil`: an operator must unlock).
    case locked(retryAfter: Duration?)
    /// A rate limit is in force.
    case tryLater(retryAfter: Duration)
}

/// The answer of a PIN or password change on the account.
public enum CredentialChangeAnswer: Sendable, Hashable {
    /// Changed: every other session ended, every channel notified.
    case changed
    /// The new PIN breaks these rules.
    case pinRefused([PINPolicy.Violation])
    /// The new password breaks these rules.
    case passwordRefused([PasswordViolation])
}

/// A new authenticator enrollment: the otpauth URI (and QR) to show once, and the token that confirms it.
public struct AuthenticatorEnrollment: Sendable {
    /// Confirms the enrollment with the app's first code (``AccountSettings/confirmAuthenticator(_:token:code:label:client:)``).
    public let token: StepToken
    /// The Key URI for the QR code (``Deadbolt/OTPAuthURI/uri``); it holds the secret: show it once, log it never.
    public let uri: OTPAuthURI
}

/// The signed-in person's account: its overview, second factors, PIN and password, activity, "this wasn't me", and
/// deletion. Sensitive changes (PIN, password, phone, authenticator, recovery codes, deletion) need a sign-in
/// within ``SignInConfiguration/reauthenticationWindow`` (15 minutes), or answer ``SignInError/reauthenticationRequired``.
public struct AccountSettings: Sendable {
    let context: FlowContext

    /// The account as its owner sees it.
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func overview(_ session: AuthenticatedSession) async throws -> AccountOverview {
        let record = try await context.current(session)
        guard let account = try await context.storeCall({ try await context.store.account(id: record.account) }) else {
            throw SignInError.notSignedIn
        }
        let authenticators = try await context.storeCall { try await context.store.authenticators(account: account.id) }
        let codes = try await context.storeCall { try await context.store.recoveryCodeDigests(account: account.id) }
        let proofing = try await context.storeCall { try await context.store.identityProofing(account: account.id) }
        return AccountOverview(
            email: account.email, state: account.state, maskedPhone: account.phoneLastFour.map(FlowContext.maskPhone),
            authenticators: authenticators.map { AuthenticatorSummary(id: $0.id, label: $0.label, createdAt: $0.createdAt) },
            recoveryCodesLeft: codes.count, identityVerifiedAt: proofing?.verifiedAt)
    }

    /// Starts enrolling an authenticator app: a new secret, sealed in the step until the first code confirms it.
    /// - Throws: ``SignInError/reauthenticationRequired``, ``SignInError/accessDenied``, ``SignInError/notSignedIn``,
    ///   ``SignInError/unavailable``.
    public func beginAuthenticatorEnrollment(_ session: AuthenticatedSession, client: ClientContext) async throws -> AuthenticatorEnrollment {
        let (record, account) = try await context.signedIn(session, sensitive: true)
        let uri: OTPAuthURI
        do {
            uri = try OTPAuthURI.newTOTP(issuer: context.configuration.serviceName, accountName: account.email.address)
        } catch {
            throw SignInError.misconfigured("could not make an authenticator enrollment: \(error)")
        }
        var payload = StepPayload(email: account.email.address)
        payload.session = record.id
        do {
            payload.sealedSecret = try context.secrets.sealing.seal(uri.secret, account: account.id.rawValue)
        } catch {
            throw SignInError.misconfigured("could not seal: \(error)")
        }
        let (token, step) = try context.issueStep(
            flow: try FlowID.random(), kind: .enrollAuthenticator, step: .confirmChange, account: account.id,
            emailKey: account.email.comparisonKey, previous: nil, client: client, payload: payload)
        try await context.commit(ChangeSet([.insertStep(step)]))
        return AuthenticatorEnrollment(token: token, uri: uri)
    }

    /// Confirms an enrollment with the app's first code (through the engine's verifier, so the step is marked used).
    /// - Returns: ``FactorChangeAnswer/authenticatorAdded(_:)``, ``FactorChangeAnswer/wrongCode`` or ``FactorChangeAnswer/locked(retryAfter:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/invalidInput(field:reason:)`` for a label over 64 bytes,
    ///   and as ``beginAuthenticatorEnrollment(_:client:)``.
    public func confirmAuthenticator(
        _ session: AuthenticatedSession, token: StepToken, code: String, label: String, client: ClientContext
    ) async throws -> FactorChangeAnswer {
        try context.bound(code, field: "code", maximum: 64)
        guard label.utf8.count <= 64 else { throw SignInError.invalidInput(field: "label", reason: "must be at most 64 bytes") }
        let (record, account) = try await context.signedIn(session, sensitive: true)
        let step = try await context.openStep(token, kind: .enrollAuthenticator, steps: [.confirmChange], client: client)
        guard step.account == account.id, step.payload.session == record.id, let sealed = step.payload.sealedSecret else {
            throw SignInError.stepInvalid
        }
        let id = try AuthenticatorID.random()
        let totp: TOTP
        do {
            totp = try TOTP(secret: try context.unsealSecret(sealed, account: account.id))
        } catch let error as SignInError {
            throw error
        } catch {
            throw SignInError.misconfigured("an enrollment secret is unusable")
        }
        let outcome = try await context.stateCall {
            try await context.verifier.verifyTOTP(code, totp: totp, account: account.id.rawValue, credential: id.rawValue, window: context.configuration.totpWindow)
        }
        switch outcome {
        case .accepted:
            var changes: [Change] = [
                .consumeStep(step.digest, now: context.now),
                .insertAuthenticator(
                    AuthenticatorRecord(id: id, account: account.id, sealedSecret: sealed, label: label.isEmpty ? "Authenticator app" : label, createdAt: context.now)),
                try context.activity(.authenticatorAdded, account: account.id, client: client),
            ]
            changes += try context.notifyEveryChannel(.authenticatorAdded(at: context.now), account: account)
            try await context.commit(ChangeSet(changes))
            return .authenticatorAdded(id)
        case .locked(let retryAfter): return .locked(retryAfter: retryAfter)
        case .rejected, .expired, .replayed: return .wrongCode
        }
    }

    /// Removes an authenticator.
    /// - Throws: ``SignInError/notFound``, ``SignInError/reauthenticationRequired``, ``SignInError/accessDenied``,
    ///   ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func removeAuthenticator(_ session: AuthenticatedSession, id: AuthenticatorID, client: ClientContext) async throws {
        let (_, account) = try await context.signedIn(session, sensitive: true)
        var changes: [Change] = [.deleteAuthenticator(id, account: account.id), try context.activity(.authenticatorRemoved, account: account.id, client: client)]
        changes += try context.notifyEveryChannel(.authenticatorRemoved(at: context.now), account: account)
        do {
            try await context.commit(ChangeSet(changes))
        } catch SignInError.concurrentChange {
            throw SignInError.notFound
        }
    }

    /// Starts a phone change: a code to the new number, which waits (sealed) in the step until confirmed.
    /// - Returns: ``FactorChangeAnswer/codeSent(_:to:)`` or ``FactorChangeAnswer/tryLater(retryAfter:)``.
    /// - Throws: ``SignInError/invalidInput(field:reason:)`` for a number that is not 4 to 15 digits (with spaces,
    ///   `+ - . ( )`), and as ``removeAuthenticator(_:id:client:)``.
    public func beginPhoneChange(_ session: AuthenticatedSession, phoneNumber: String, client: ClientContext) async throws -> FactorChangeAnswer {
        let (record, account) = try await context.signedIn(session, sensitive: true)
        let digits = try Self.phoneDigits(phoneNumber)
        let lastFour = String(digits.suffix(4))
        var payload = StepPayload(email: account.email.address)
        payload.session = record.id
        payload.sealedPhone = try context.sealText(phoneNumber, binding: account.id.rawValue)
        payload.phoneLastFour = lastFour
        let (token, step) = try context.issueStep(
            flow: try FlowID.random(), kind: .changePhone, step: .confirmChange, account: account.id,
            emailKey: account.email.comparisonKey, previous: nil, client: client, payload: payload)
        try await context.commit(ChangeSet([.insertStep(step)]))
        let context = self.context
        if let wait = try await context.sendCode(
            account: account.id.rawValue, purpose: .phoneVerification, binding: Array(step.flow.rawValue.utf8), limitKey: digits,
            makeMessage: { code in try context.message(.phoneConfirmationCode(code: code), to: phoneNumber, channel: .sms, account: account.id) })
        {
            return .tryLater(retryAfter: wait)
        }
        return .codeSent(token, to: .phone(masked: FlowContext.maskPhone(lastFour: lastFour)))
    }

    /// Confirms a phone change with the code sent to the new number; the old number (and the email) are told.
    /// - Returns: ``FactorChangeAnswer/phoneChanged``, ``FactorChangeAnswer/wrongCode`` or ``FactorChangeAnswer/locked(retryAfter:)``.
    /// - Throws: ``SignInError/stepInvalid``, and as ``beginPhoneChange(_:phoneNumber:client:)``.
    public func confirmPhoneChange(_ session: AuthenticatedSession, token: StepToken, code: String, client: ClientContext) async throws -> FactorChangeAnswer {
        try context.bound(code, field: "code", maximum: 64)
        let (record, account) = try await context.signedIn(session, sensitive: true)
        let step = try await context.openStep(token, kind: .changePhone, steps: [.confirmChange], client: client)
        guard step.account == account.id, step.payload.session == record.id, let sealed = step.payload.sealedPhone,
            let lastFour = step.payload.phoneLastFour
        else { throw SignInError.stepInvalid }
        let outcome = try await context.stateCall {
            try await context.verifier.verifyIssuedCode(code, account: account.id.rawValue, purpose: .phoneVerification, binding: step.binding)
        }
        switch outcome {
        case .accepted:
            let notice = Notice.phoneChanged(newPhoneMasked: FlowContext.maskPhone(lastFour: lastFour), at: context.now)
            // Told on every channel on file before the change: the email and the old number.
            var changes = try context.notifyEveryChannel(notice, account: account)
            changes += [
                .consumeStep(step.digest, now: context.now),
                .setPhone(account: account.id, sealedPhone: sealed, lastFour: lastFour),
                try context.activity(.phoneChanged, account: account.id, client: client),
            ]
            try await context.commit(ChangeSet(changes))
            return .phoneChanged
        case .locked(let retryAfter): return .locked(retryAfter: retryAfter)
        case .rejected, .expired, .replayed: return .wrongCode
        }
    }

    /// Makes a new set of recovery codes (the old set stops working) and returns them, to show once.
    /// - Throws: as ``removeAuthenticator(_:id:client:)``.
    public func generateRecoveryCodes(_ session: AuthenticatedSession, client: ClientContext) async throws -> [String] {
        let (_, account) = try await context.signedIn(session, sensitive: true)
        let codes: [String]
        do {
            codes = try RecoveryCodes.generate(count: context.configuration.recoveryCodeCount)
        } catch {
            throw SignInError.misconfigured("could not generate recovery codes: \(error)")
        }
        let digests = try codes.map { code -> String in
            guard let digest = try context.recoveryCodeDigest(code, account: account.id) else {
                throw SignInError.misconfigured("a generated recovery code does not normalize")
            }
            return Hex.encode(digest)
        }
        var changes: [Change] = [
            .replaceRecoveryCodes(account: account.id, digests: digests, at: context.now),
            try context.activity(.recoveryCodesGenerated, account: account.id, client: client),
        ]
        changes += try context.notifyEveryChannel(.recoveryCodesGenerated(at: context.now), account: account)
        try await context.commit(ChangeSet(changes))
        return codes
    }

    /// Changes the PIN (not to the previous one), ending every other session.
    /// - Returns: ``CredentialChangeAnswer/changed`` or ``CredentialChangeAnswer/pinRefused(_:)``.
    /// - Throws: ``SignInError/concurrentChange``, and as ``removeAuthenticator(_:id:client:)``.
    public func changePIN(_ session: AuthenticatedSession, newPIN: String, client: ClientContext) async throws -> CredentialChangeAnswer {
        try context.bound(newPIN, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let (record, account) = try await context.signedIn(session, sensitive: true)
        switch try await context.newPINChanges(newPIN, account: account, client: client) {
        case .refused(let violations): return .pinRefused(violations)
        case .accepted(let changes):
            try await context.commit(ChangeSet(changes + [.endSessions(account: account.id, except: record.id)]))
            return .changed
        }
    }

    /// Changes the password, ending every other session.
    /// - Returns: ``CredentialChangeAnswer/changed`` or ``CredentialChangeAnswer/passwordRefused(_:)``.
    /// - Throws: ``SignInError/concurrentChange``, ``SignInError/overloaded``, and as ``removeAuthenticator(_:id:client:)``.
    public func changePassword(_ session: AuthenticatedSession, newPassword: String, client: ClientContext) async throws -> CredentialChangeAnswer {
        try context.bound(newPassword, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        let (record, account) = try await context.signedIn(session, sensitive: true)
        switch try await context.newPasswordChanges(newPassword, account: account, client: client) {
        case .refused(let violations): return .passwordRefused(violations)
        case .accepted(let changes):
            try await context.commit(ChangeSet(changes + [.endSessions(account: account.id, except: record.id)]))
            return .changed
        }
    }

    /// A page of account activity, newest first (`limit` 1 to 100).
    /// - Throws: ``SignInError/invalidInput(field:reason:)``, ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func activity(_ session: AuthenticatedSession, after cursor: ActivityCursor? = nil, limit: Int = 20) async throws -> ActivityPage {
        guard (1...SignInStoreBounds.maximumActivityPage).contains(limit) else {
            throw SignInError.invalidInput(field: "limit", reason: "must be 1 to \(SignInStoreBounds.maximumActivityPage)")
        }
        let record = try await context.current(session)
        return try await context.storeCall { try await context.store.activity(account: record.account, after: cursor, limit: limit) }
    }

    /// "This wasn't me" from the activity page: ends every session of the account at once (this one included) and
    /// starts Forgot PIN from ``RecoveryOrigin/notMe`` (devices are forgotten when its code is given).
    /// - Returns: Forgot PIN's first answer.
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func reportNotMe(_ session: AuthenticatedSession, client: ClientContext) async throws -> RecoveryAnswer {
        let record = try await context.current(session)
        guard let account = try await context.storeCall({ try await context.store.account(id: record.account) }) else {
            throw SignInError.notSignedIn
        }
        var changes: [Change] = [.endSessions(account: account.id, except: nil), try context.activity(.reportedNotMe, account: account.id, client: client)]
        changes += try context.notifyEveryChannel(.signedOutEverywhere(at: context.now), account: account)
        try await context.commit(ChangeSet(changes))
        return try await RecoveryFlow(context: context, resetting: .pin).begin(address: account.email, account: account, client: client, origin: .notMe)
    }

    /// Deletes the account: every row of it everywhere, its sessions with them; a last notice goes to its email.
    /// - Throws: as ``removeAuthenticator(_:id:client:)``.
    public func delete(_ session: AuthenticatedSession, client: ClientContext) async throws {
        let (_, account) = try await context.signedIn(session, sensitive: true)
        var changes: [Change] = [.deleteAccount(account.id)]
        // Written after the deletion, without the account (which no longer exists), so it survives it.
        changes.append(.enqueueMessage(try context.message(.accountDeleted(at: context.now), to: account.email.address, channel: .email, account: nil)))
        if let phone = try context.phoneNumber(of: account) {
            changes.append(.enqueueMessage(try context.message(.accountDeleted(at: context.now), to: phone, channel: .sms, account: nil)))
        }
        try await context.commit(ChangeSet(changes))
        try? await context.clearLocks(account)
    }

    static func phoneDigits(_ number: String) throws -> String {
        do {
            _ = try PINContext(phoneNumber: number)
        } catch let error as PINPolicyError {
            throw SignInError.invalidInput(field: "phoneNumber", reason: error.description)
        }
        return String(number.filter(\.isASCIIDigit))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
