import Deadbolt

/// Sign in: email → password → PIN → a second factor when the device or the network is new → a session.
///
/// An unknown email walks the same steps with the same answers: its password step verifies against a dummy hash
/// (the same Argon2 cost) and answers ``SignInAnswer/wrongPassword``, limited under the email's own lockout keys.
/// Each step's token is single use, bound to the previous step, the browser and the address, and expires in 10
/// minutes; a failed step leaves it usable.
public struct SignInFlow: Sendable {
    let context: FlowContext

    /// Starts a sign-in for `email`.
    /// - Returns: ``SignInAnswer/needPassword(_:)``, or ``SignInAnswer/tryLater(retryAfter:)`` when the address
    ///   started too many flows.
    /// - Throws: ``SignInError/invalidEmail(_:)``, ``SignInError/unavailable``.
    public func start(email: String, client: ClientContext) async throws -> SignInAnswer {
        let address = try EmailAddress(email)
        if let wait = try await context.limitFlowStart(client) { return .tryLater(retryAfter: wait) }
        let account = try await context.storeCall { try await context.store.account(emailKey: address.comparisonKey) }
        let (token, record) = try context.issueStep(
            flow: try FlowID.random(), kind: .signIn, step: .password, account: account?.id, emailKey: address.comparisonKey,
            previous: nil, client: client, payload: StepPayload(email: address.address))
        try await context.commit(ChangeSet([.insertStep(record)]))
        return .needPassword(token)
    }

    /// Checks the password.
    /// - Returns: ``SignInAnswer/needPIN(_:)``; ``SignInAnswer/needNewPIN(_:)`` right after identity verification;
    ///   ``SignInAnswer/signedIn(_:)`` with a verify-your-identity-only session when the identity is not yet
    ///   verified; ``SignInAnswer/wrongPassword`` (also for an unknown email); ``SignInAnswer/locked(retryAfter:)``
    ///   or ``SignInAnswer/hardLocked``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/stepAlreadyUsed``, ``SignInError/invalidInput(field:reason:)``
    ///   for a password over 4096 bytes, ``SignInError/overloaded``, ``SignInError/unavailable``.
    public func submitPassword(_ token: StepToken, password: String, client: ClientContext) async throws -> SignInAnswer {
        try context.bound(password, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: .signIn, steps: [.password], client: client)
        switch try await context.checkPassword(password, step: step, client: client) {
        case .refused(let answer): return SignInAnswer(answer)
        case .failed: return .wrongPassword
        case .verified(let account, let rehash):
            var changes = ChangeSet(rehash)
            switch account.state {
            case .identityUnverified:
                let (sessionChanges, grant) = try context.sessionChanges(
                    for: account, step: step, access: .identityVerificationPending, client: client, secondFactorUsed: false,
                    rememberDevice: false, rememberedDevice: nil)
                changes.append(contentsOf: sessionChanges.changes)
                try await context.commit(changes)
                return .signedIn(grant)
            case .needsPIN, .active, .credentialsVoided:
                let next: StepKind = account.state == .active ? .pin : .newPIN
                var payload = step.payload
                payload.credentialVersion = account.credentialVersion
                let (nextToken, record) = try context.issueStep(
                    flow: step.flow, kind: .signIn, step: next, account: account.id, emailKey: step.record.emailKey,
                    previous: step.digest, client: client, payload: payload)
                changes.append(.consumeStep(step.digest, now: context.now))
                changes.append(.insertStep(record))
                // Scheduled now, cancelled by the change set that completes the sign-in: if none does within the
                // delay, someone who knows the password stopped at the PIN or the second factor.
                changes.append(
                    .enqueueMessage(
                        try context.message(
                            .passwordMayBeKnown(at: context.now), to: account.email.address, channel: .email, account: account.id,
                            notBefore: context.now.adding(context.configuration.passwordKnownNoticeDelay),
                            cancelKey: step.flow.rawValue)))
                try await context.commit(changes)
                return next == .pin ? .needPIN(nextToken) : .needNewPIN(nextToken)
            }
        }
    }

    /// Checks the PIN.
    /// - Returns: ``SignInAnswer/signedIn(_:)`` on a remembered device and a known network;
    ///   ``SignInAnswer/needSecondFactor(_:choices:)`` otherwise; ``SignInAnswer/wrongPIN``, ``SignInAnswer/locked(retryAfter:)``
    ///   or ``SignInAnswer/hardLocked``.
    /// - Throws: as ``submitPassword(_:password:client:)``; a PIN over 64 bytes is ``SignInError/invalidInput(field:reason:)``.
    public func submitPIN(_ token: StepToken, pin: String, client: ClientContext) async throws -> SignInAnswer {
        try context.bound(pin, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: .signIn, steps: [.pin], client: client)
        switch try await context.checkPIN(pin, step: step, client: client) {
        case .refused(let answer): return SignInAnswer(answer)
        case .failed: return .wrongPIN
        case .verified(let account, let rehash):
            return try await continueAfterPIN(account: account, step: step, client: client, extra: rehash)
        }
    }

    /// Sets the first PIN of an account whose identity was just verified, under the PIN policy with the person's
    /// facts; then continues as a correct PIN would.
    /// - Returns: ``SignInAnswer/pinRefused(_:)`` with every rule broken, or what ``submitPIN(_:pin:client:)`` returns
    ///   after a correct PIN.
    /// - Throws: as ``submitPIN(_:pin:client:)``, and ``SignInError/concurrentChange`` when the account changed since
    ///   the password step.
    public func setFirstPIN(_ token: StepToken, pin: String, client: ClientContext) async throws -> SignInAnswer {
        try context.bound(pin, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: .signIn, steps: [.newPIN], client: client)
        guard let account = try await context.account(of: step), account.state == .needsPIN,
            account.credentialVersion == step.payload.credentialVersion
        else { throw SignInError.concurrentChange }
        switch try await context.newPINChanges(pin, account: account, client: client) {
        case .refused(let violations): return .pinRefused(violations)
        case .accepted(let changes):
            return try await continueAfterPIN(account: account, step: step, client: client, extra: changes + [.setAccountState(account: account.id, state: .active)])
        }
    }

    /// Sends a second-factor code by text message or email.
    /// - Returns: ``SignInAnswer/codeSent(_:to:)`` with the next token (also when resending), or
    ///   ``SignInAnswer/tryLater(retryAfter:)`` within the resend cooldown or past the send limit.
    /// - Throws: ``SignInError/stepInvalid`` (also when `via` is ``CodeChannel/phone`` and no phone is on file),
    ///   ``SignInError/stepAlreadyUsed``, ``SignInError/unavailable``.
    public func sendSecondFactorCode(_ token: StepToken, via channel: CodeChannel, client: ClientContext) async throws -> SignInAnswer {
        let step = try await context.openStep(token, kind: .signIn, steps: [.chooseSecondFactor, .secondFactorCode], client: client)
        guard let account = try await context.account(of: step) else { throw SignInError.stepInvalid }
        let destination: String
        let masked: CodeDestination
        switch channel {
        case .email:
            destination = account.email.address
            masked = .email(masked: account.email.masked)
        case .phone:
            guard let phone = try context.phoneNumber(of: account), let lastFour = account.phoneLastFour else { throw SignInError.stepInvalid }
            destination = phone
            masked = .phone(masked: FlowContext.maskPhone(lastFour: lastFour))
        }
        let context = self.context
        let channelKind: DeliveryChannel = channel == .email ? .email : .sms
        if let wait = try await context.sendCode(
            account: account.id.rawValue, purpose: .signInStepUp, binding: step.binding, limitKey: destination,
            makeMessage: { code in try context.message(.signInCode(code: code), to: destination, channel: channelKind, account: account.id) })
        {
            return .tryLater(retryAfter: wait)
        }
        var payload = step.payload
        payload.channel = channel
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: .signIn, step: .secondFactorCode, account: account.id, emailKey: step.record.emailKey,
            previous: step.digest, client: client, payload: payload)
        try await context.commit(ChangeSet([.consumeStep(step.digest, now: context.now), .insertStep(record)]))
        return .codeSent(nextToken, to: masked)
    }

    /// Checks a second factor: the sent code, the authenticator's code, or a recovery code. With `rememberDevice`,
    /// the grant carries a device token that skips the second factor for 30 days.
    /// - Returns: ``SignInAnswer/signedIn(_:)``, ``SignInAnswer/wrongCode`` (wrong, expired or replayed),
    ///   ``SignInAnswer/locked(retryAfter:)`` or ``SignInAnswer/hardLocked``.
    /// - Throws: ``SignInError/stepInvalid`` (also for a proof that does not fit the step: a sent code before one was
    ///   sent, an authenticator code without an authenticator), ``SignInError/stepAlreadyUsed``,
    ///   ``SignInError/invalidInput(field:reason:)`` for a code over 64 bytes, ``SignInError/unavailable``.
    public func submitSecondFactor(
        _ token: StepToken, proof: SecondFactorProof, rememberDevice: Bool, client: ClientContext
    ) async throws -> SignInAnswer {
        let step = try await context.openStep(token, kind: .signIn, steps: [.chooseSecondFactor, .secondFactorCode], client: client)
        guard let account = try await context.account(of: step) else { throw SignInError.stepInvalid }
        var extra: [Change] = []
        let outcome: OneTimeCodeOutcome
        switch proof {
        case .sentCode(let code):
            try context.bound(code, field: "code", maximum: 64)
            guard step.record.step == .secondFactorCode else { throw SignInError.stepInvalid }
            outcome = try await context.stateCall {
                try await context.verifier.verifyIssuedCode(code, account: account.id.rawValue, purpose: .signInStepUp, binding: step.binding)
            }
        case .authenticatorCode(let code):
            try context.bound(code, field: "code", maximum: 64)
            outcome = try await context.verifyAuthenticatorCode(code, account: account)
        case .recoveryCode(let code):
            try context.bound(code, field: "code", maximum: 64)
            let (recoveryOutcome, changes) = try await context.redeemRecoveryCode(code, account: account, client: client)
            outcome = recoveryOutcome
            extra = changes
        }
        switch outcome {
        case .accepted:
            let (_, device) = try await context.secondFactorDue(for: account, client: client)
            var (changes, grant) = try context.sessionChanges(
                for: account, step: step, access: .full, client: client, secondFactorUsed: true, rememberDevice: rememberDevice,
                rememberedDevice: device)
            changes.append(contentsOf: extra)
            try await context.commit(changes)
            return .signedIn(grant)
        case .locked(let retryAfter):
            return retryAfter.map { .locked(retryAfter: $0) } ?? .hardLocked
        case .rejected, .expired, .replayed:
            try await context.commit(ChangeSet([try context.activity(.secondFactorFailed, account: account.id, client: client)]))
            return .wrongCode
        }
    }

    /// After a correct (or first) PIN: a session when the device is remembered and the network known, otherwise
    /// the second-factor step.
    private func continueAfterPIN(account: AccountRecord, step: OpenStep, client: ClientContext, extra: [Change]) async throws -> SignInAnswer {
        let (due, device) = try await context.secondFactorDue(for: account, client: client)
        if !due {
            var (changes, grant) = try context.sessionChanges(
                for: account, step: step, access: .full, client: client, secondFactorUsed: false, rememberDevice: false,
                rememberedDevice: device)
            changes.append(contentsOf: extra)
            try await context.commit(changes)
            return .signedIn(grant)
        }
        var payload = step.payload
        payload.secondFactorDue = true
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: .signIn, step: .chooseSecondFactor, account: account.id, emailKey: step.record.emailKey,
            previous: step.digest, client: client, payload: payload)
        var changes = ChangeSet(extra)
        changes.append(.consumeStep(step.digest, now: context.now))
        changes.append(.insertStep(record))
        try await context.commit(changes)
        return .needSecondFactor(nextToken, choices: try await context.secondFactorChoices(for: account))
    }
}
