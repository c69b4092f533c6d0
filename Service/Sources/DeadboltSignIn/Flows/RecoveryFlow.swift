import Deadbolt

/// Forgot PIN and Forgot password: email → a code to the email or the phone on file (the person picks; both
/// masked) → the other credential as second proof → a new PIN or password under the policy → every session ends,
/// remembered devices are forgotten, every channel on file is notified, and every lock is lifted. It grants no
/// session: the person then signs in (OWASP Forgot Password Cheat Sheet).
///
/// An unknown email gets the same choices (a phone masked with digits derived from the address), the same
/// "code sent" answer, and a code that never matches. Started from "this wasn't me" (``RecoveryOrigin/notMe``),
/// every session ends and every device is forgotten as soon as the code is given. Forgot password for a verified
/// account without a PIN (both lost, then re-verified) takes the operator's one-time ``ReenrollmentCode`` as its
/// second proof.
public struct RecoveryFlow: Sendable {
    let context: FlowContext
    /// What the flow resets: ``CredentialKind/pin`` for Forgot PIN, ``CredentialKind/password`` for Forgot password.
    public let resetting: CredentialKind

    var kind: FlowKind { resetting == .pin ? .forgotPIN : .forgotPassword }

    /// Starts the flow for `email`.
    /// - Returns: ``RecoveryAnswer/chooseChannel(_:choices:)``, or ``RecoveryAnswer/tryLater(retryAfter:)``.
    /// - Throws: ``SignInError/invalidEmail(_:)``, ``SignInError/unavailable``.
    public func start(email: String, client: ClientContext, origin: RecoveryOrigin = .forgotten) async throws -> RecoveryAnswer {
        let address = try EmailAddress(email)
        if let wait = try await context.limitFlowStart(client) { return .tryLater(retryAfter: wait) }
        let account = try await context.storeCall { try await context.store.account(emailKey: address.comparisonKey) }
        return try await begin(address: address, account: account, client: client, origin: origin)
    }

    /// Starts the flow for a known account (``AccountSettings/reportNotMe(_:client:)``).
    func begin(address: EmailAddress, account: AccountRecord?, client: ClientContext, origin: RecoveryOrigin) async throws -> RecoveryAnswer {
        var payload = StepPayload(email: address.address)
        payload.origin = origin
        let (token, record) = try context.issueStep(
            flow: try FlowID.random(), kind: kind, step: .chooseChannel, account: account?.id, emailKey: address.comparisonKey,
            previous: nil, client: client, payload: payload)
        try await context.commit(ChangeSet([.insertStep(record)]))
        let phone = try context.maskedPhoneForChoice(account: account, emailKey: address.comparisonKey)
        return .chooseChannel(token, choices: [.email(maskedEmail: address.masked), .phone(maskedPhone: phone)])
    }

    /// Sends the code to the chosen channel (again, after the cooldown, from the code step).
    /// - Returns: ``RecoveryAnswer/codeSent(_:to:)`` (whether or not the channel exists), or
    ///   ``RecoveryAnswer/tryLater(retryAfter:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/stepAlreadyUsed``, ``SignInError/unavailable``.
    public func sendCode(_ token: StepToken, via channel: CodeChannel, client: ClientContext) async throws -> RecoveryAnswer {
        let step = try await context.openStep(token, kind: kind, steps: [.chooseChannel, .recoveryCode], client: client)
        let account = try await context.account(of: step)
        let address = EmailAddress(stored: step.payload.email)
        let context = self.context
        let destination: String?
        let masked: CodeDestination
        let limitKey: String
        switch channel {
        case .email:
            destination = account.map { $0.email.address }
            masked = .email(masked: address.masked)
            limitKey = address.comparisonKey
        case .phone:
            destination = try account.flatMap { try context.phoneNumber(of: $0) }
            masked = .phone(masked: try context.maskedPhoneForChoice(account: account, emailKey: address.comparisonKey))
            limitKey = destination ?? "phone-of:" + address.comparisonKey
        }
        let resetting = self.resetting
        let accountID = account?.id
        if let wait = try await context.sendCode(
            account: Self.codeIdentity(step.record.emailKey), purpose: .pinReset, binding: step.binding, limitKey: limitKey,
            makeMessage: { code in
                guard let destination else { return nil }
                return try context.message(
                    .recoveryCode(code: code, resetting: resetting), to: destination, channel: channel == .email ? .email : .sms,
                    account: accountID)
            })
        {
            return .tryLater(retryAfter: wait)
        }
        var payload = step.payload
        payload.channel = channel
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: kind, step: .recoveryCode, account: account?.id, emailKey: step.record.emailKey,
            previous: step.digest, client: client, payload: payload)
        try await context.commit(ChangeSet([.consumeStep(step.digest, now: context.now), .insertStep(record)]))
        return .codeSent(nextToken, to: masked)
    }

    /// Checks the code.
    /// - Returns: ``RecoveryAnswer/needPassword(_:)`` (Forgot PIN), ``RecoveryAnswer/needPIN(_:)`` (Forgot password),
    ///   ``RecoveryAnswer/needReenrollmentCode(_:)`` (Forgot password for a verified account without a PIN),
    ///   ``RecoveryAnswer/needNewPassword(_:)`` (Forgot password for an account whose identity is not verified),
    ///   ``RecoveryAnswer/wrongCode``, or ``RecoveryAnswer/locked(retryAfter:)``/``RecoveryAnswer/hardLocked``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/stepAlreadyUsed``, ``SignInError/invalidInput(field:reason:)``,
    ///   ``SignInError/unavailable``.
    public func submitCode(_ token: StepToken, code: String, client: ClientContext) async throws -> RecoveryAnswer {
        try context.bound(code, field: "code", maximum: 64)
        let step = try await context.openStep(token, kind: kind, steps: [.recoveryCode], client: client)
        let outcome = try await context.stateCall {
            try await context.verifier.verifyIssuedCode(code, account: Self.codeIdentity(step.record.emailKey), purpose: .pinReset, binding: step.binding)
        }
        switch outcome {
        case .locked(let retryAfter): return retryAfter.map { .locked(retryAfter: $0) } ?? .hardLocked
        case .rejected, .expired, .replayed: return .wrongCode
        case .accepted: break
        }
        guard let account = try await context.account(of: step) else { return .wrongCode }
        var changes = ChangeSet([.consumeStep(step.digest, now: context.now)])
        if step.payload.origin == .notMe {
            // "This wasn't me": the code is the first proof; from here no session or remembered device of the account
            // survives, whatever the person does next.
            changes.append(.endSessions(account: account.id, except: nil))
            changes.append(.revokeDevices(account: account.id, at: context.now))
            changes.append(try context.activity(.reportedNotMe, account: account.id, client: client))
            changes.append(contentsOf: try context.notifyEveryChannel(.signedOutEverywhere(at: context.now), account: account))
        }
        let next = Self.secondProof(resetting: resetting, account: account)
        var payload = step.payload
        payload.credentialVersion = account.credentialVersion
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: kind, step: next, account: account.id, emailKey: step.record.emailKey, previous: step.digest,
            client: client, payload: payload)
        changes.append(.insertStep(record))
        try await context.commit(changes)
        switch (resetting, next) {
        case (.password, .newPassword): return .needNewPassword(nextToken)
        case (.password, .reenrollmentCode): return .needReenrollmentCode(nextToken)
        case (.password, _): return .needPIN(nextToken)
        case (.pin, _): return .needPassword(nextToken)
        }
    }

    /// What proves the person after the emailed or texted code. Forgot PIN: the password. Forgot password: the PIN;
    /// without one, the operator's re-enrollment code when the identity is verified (a mailbox alone must not
    /// choose the password of a verified account: that is what a re-verification's code is for), and nothing more
    /// when it is not (the mailbox is all that account ever proved).
    static func secondProof(resetting: CredentialKind, account: AccountRecord) -> StepKind {
        switch (resetting, account.pinHash, account.state) {
        case (.pin, _, _): .secondProof
        case (.password, .some, _): .secondProof
        case (.password, nil, .identityUnverified): .newPassword
        case (.password, nil, .needsPIN), (.password, nil, .active), (.password, nil, .credentialsVoided): .reenrollmentCode
        }
    }

    /// Forgot password's second proof for a verified account without a PIN: the one-time re-enrollment code the
    /// operator handed over at the re-verification. Reserved in the re-enrollment budget before the look-up (the
    /// account at its credential version, and the address); the code is consumed with the new password, so a
    /// flow abandoned after this step leaves it usable.
    /// - Returns: ``RecoveryAnswer/needNewPassword(_:)``, ``RecoveryAnswer/wrongCode`` (wrong, malformed, expired,
    ///   used, another account's, or from an earlier verification), ``RecoveryAnswer/locked(retryAfter:)``, or
    ///   ``RecoveryAnswer/hardLocked`` (after 10 wrong codes: the operator verifies the person again).
    /// - Throws: ``SignInError/stepInvalid`` (also on Forgot PIN), ``SignInError/stepAlreadyUsed``,
    ///   ``SignInError/concurrentChange`` when the account changed since the emailed code,
    ///   ``SignInError/invalidInput(field:reason:)`` for an empty code or one over 64 bytes, ``SignInError/unavailable``.
    public func submitReenrollmentCode(_ token: StepToken, code: String, client: ClientContext) async throws -> RecoveryAnswer {
        guard resetting == .password else { throw SignInError.stepInvalid }
        try context.bound(code, field: "code", maximum: 64)
        let step = try await context.openStep(token, kind: kind, steps: [.reenrollmentCode], client: client)
        let account = try await freshAccount(step)
        let ticket: AttemptTicket
        // The account at its credential version, as a PIN's lockout: a new re-verification starts afresh.
        switch try await context.reenrollmentLockout.reserve(
            account: FlowContext.pinLockIdentity(account), source: client.addressKey, device: nil)
        {
        case .admitted(let admitted): ticket = admitted
        case .locked(let wait): return .locked(retryAfter: wait)
        case .hardLocked: return .hardLocked
        case .unavailable: throw SignInError.unavailable
        }
        guard let codeDigest = try await context.openReenrollmentCode(code, account: account) else {
            await context.reenrollmentLockout.failed(ticket)
            try await context.noteFailure(ticket, policy: context.reenrollmentLockout, account: account, kind: .secondFactorFailed, client: client)
            return .wrongCode
        }
        await context.reenrollmentLockout.succeeded(ticket)
        var payload = step.payload
        payload.reenrollmentCode = codeDigest
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: kind, step: .newPassword, account: account.id, emailKey: step.record.emailKey, previous: step.digest,
            client: client, payload: payload)
        try await context.commit(ChangeSet([.consumeStep(step.digest, now: context.now), .insertStep(record)]))
        return .needNewPassword(nextToken)
    }

    /// Forgot PIN's second proof: the password.
    /// - Returns: ``RecoveryAnswer/needNewPIN(_:)``, or ``RecoveryAnswer/completed`` for an account whose identity is not
    ///   yet verified (it has no PIN to reset: its locks are lifted); ``RecoveryAnswer/wrongPassword``, locks.
    /// - Throws: ``SignInError/stepInvalid`` (also on Forgot password), and as ``SignInFlow/submitPassword(_:password:client:)``.
    public func submitPassword(_ token: StepToken, password: String, client: ClientContext) async throws -> RecoveryAnswer {
        guard resetting == .pin else { throw SignInError.stepInvalid }
        try context.bound(password, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: kind, steps: [.secondProof], client: client)
        switch try await context.checkPassword(password, step: step, client: client) {
        case .refused(let refusal): return RecoveryAnswer(refusal)
        case .failed: return .wrongPassword
        case .verified(let account, let rehash):
            if account.state == .identityUnverified {
                try await context.commit(ChangeSet(rehash + [.consumeStep(step.digest, now: context.now)]))
                try await clearLocks(account)
                return .completed
            }
            return .needNewPIN(try await advance(step, to: .newPIN, account: account, client: client, extra: rehash))
        }
    }

    /// Forgot password's second proof: the PIN.
    /// - Returns: ``RecoveryAnswer/needNewPassword(_:)``, ``RecoveryAnswer/wrongPIN``, locks.
    /// - Throws: ``SignInError/stepInvalid`` (also on Forgot PIN), and as ``SignInFlow/submitPIN(_:pin:client:)``.
    public func submitPIN(_ token: StepToken, pin: String, client: ClientContext) async throws -> RecoveryAnswer {
        guard resetting == .password else { throw SignInError.stepInvalid }
        try context.bound(pin, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: kind, steps: [.secondProof], client: client)
        switch try await context.checkPIN(pin, step: step, client: client) {
        case .refused(let refusal): return RecoveryAnswer(refusal)
        case .failed: return .wrongPIN
        case .verified(let account, let rehash):
            return .needNewPassword(try await advance(step, to: .newPassword, account: account, client: client, extra: rehash))
        }
    }

    /// Sets the new PIN (Forgot PIN), not the previous one.
    /// - Returns: ``RecoveryAnswer/completed`` or ``RecoveryAnswer/pinRefused(_:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/concurrentChange``, ``SignInError/unavailable``.
    public func setNewPIN(_ token: StepToken, pin: String, client: ClientContext) async throws -> RecoveryAnswer {
        guard resetting == .pin else { throw SignInError.stepInvalid }
        try context.bound(pin, field: "pin", maximum: PINPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: kind, steps: [.newPIN], client: client)
        let account = try await freshAccount(step)
        switch try await context.newPINChanges(pin, account: account, client: client) {
        case .refused(let violations): return .pinRefused(violations)
        case .accepted(let changes):
            var all = changes
            if account.state == .needsPIN { all.append(.setAccountState(account: account.id, state: .active)) }
            try await complete(step, account: account, changes: all)
            return .completed
        }
    }

    /// Sets the new password (Forgot password). After an identity re-verification (both credentials void), the
    /// account then needs a new PIN at its next sign-in, and the re-enrollment code is used up.
    /// - Returns: ``RecoveryAnswer/completed`` or ``RecoveryAnswer/passwordRefused(_:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/concurrentChange``, ``SignInError/overloaded``, ``SignInError/unavailable``.
    public func setNewPassword(_ token: StepToken, password: String, client: ClientContext) async throws -> RecoveryAnswer {
        guard resetting == .password else { throw SignInError.stepInvalid }
        try context.bound(password, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        let step = try await context.openStep(token, kind: kind, steps: [.newPassword], client: client)
        let account = try await freshAccount(step)
        // A verified account without a PIN reaches this step only through its re-enrollment code, consumed here.
        let reenrollment: [Change]
        switch Self.secondProof(resetting: resetting, account: account) {
        case .reenrollmentCode:
            guard let code = step.payload.reenrollmentCode else { throw SignInError.stepInvalid }
            reenrollment = [.consumeStep(code, now: context.now)]
        default:
            reenrollment = []
        }
        switch try await context.newPasswordChanges(password, account: account, client: client) {
        case .refused(let violations): return .passwordRefused(violations)
        case .accepted(let changes):
            var all = reenrollment + changes
            if account.state == .credentialsVoided { all.append(.setAccountState(account: account.id, state: .needsPIN)) }
            try await complete(step, account: account, changes: all)
            return .completed
        }
    }

    /// The state-store identity recovery codes are issued under: the address (known or not).
    static func codeIdentity(_ emailKey: String) -> String { "recovery:" + emailKey }

    private func freshAccount(_ step: OpenStep) async throws -> AccountRecord {
        guard let account = try await context.account(of: step), account.credentialVersion == step.payload.credentialVersion else {
            throw SignInError.concurrentChange
        }
        return account
    }

    private func advance(_ step: OpenStep, to next: StepKind, account: AccountRecord, client: ClientContext, extra: [Change]) async throws -> StepToken {
        let (nextToken, record) = try context.issueStep(
            flow: step.flow, kind: kind, step: next, account: account.id, emailKey: step.record.emailKey, previous: step.digest,
            client: client, payload: step.payload)
        try await context.commit(ChangeSet(extra + [.consumeStep(step.digest, now: context.now), .insertStep(record)]))
        return nextToken
    }

    /// The reset's last change set: the new credential, every session ended, every device forgotten; then every
    /// lock lifted (NIST SP 800-63B §5.2.2: the hard lock ends through recovery).
    private func complete(_ step: OpenStep, account: AccountRecord, changes: [Change]) async throws {
        var all = ChangeSet([.consumeStep(step.digest, now: context.now)])
        all.append(contentsOf: changes)
        all.append(.endSessions(account: account.id, except: nil))
        all.append(.revokeDevices(account: account.id, at: context.now))
        try await context.commit(all)
        try await clearLocks(account)
    }

    private func clearLocks(_ account: AccountRecord) async throws {
        try await context.clearLocks(account)
    }
}

extension FlowContext {
    /// Lifts the locks of the account at its current credential version (password, PIN) and its second-factor
    /// budget. A completed reset has already moved the version on (fresh keys for every address); this clears
    /// the new keys too, in case a failure raced the reset.
    func clearLocks(_ account: AccountRecord) async throws {
        try await stateCall {
            try await passwordLockout.clear(account: Self.passwordLockIdentity(emailKey: account.email.comparisonKey, account: account))
            try await pinLockout.clear(account: Self.pinLockIdentity(account))
            try await stateStore.clearLockout(try OneTimeCodeVerifier.lockoutKey(account: account.id.rawValue))
        }
    }
}
