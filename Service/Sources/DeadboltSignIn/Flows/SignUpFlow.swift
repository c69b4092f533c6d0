import Deadbolt

/// Sign up: email and password → a code to the email → the account exists once the code is entered.
///
/// An address that already has an account gets a "you already have an account" message instead of a code, and the
/// same answers as a new one, after the same work (one password hash). The account starts with its identity
/// unverified.
public struct SignUpFlow: Sendable {
    let context: FlowContext

    /// Starts a sign-up: checks the password (NIST SP 800-63B §5.1.1.2), hashes it, and sends the code.
    /// - Returns: ``SignUpAnswer/confirmEmail(_:sentTo:)``, ``SignUpAnswer/passwordRefused(_:)`` with every rule
    ///   broken, or ``SignUpAnswer/tryLater(retryAfter:)`` (too many flows from the address, or codes to the email).
    /// - Throws: ``SignInError/invalidEmail(_:)``, ``SignInError/invalidInput(field:reason:)`` for a password over
    ///   4096 bytes, ``SignInError/overloaded``, ``SignInError/unavailable``.
    public func start(email: String, password: String, client: ClientContext) async throws -> SignUpAnswer {
        let address = try EmailAddress(email)
        try context.bound(password, field: "password", maximum: PasswordPolicy.maximumInputBytes)
        let violations = context.passwordPolicy.evaluate(password, email: address)
        guard violations.isEmpty else { return .passwordRefused(violations) }
        if let wait = try await context.limitFlowStart(client) { return .tryLater(retryAfter: wait) }
        // Hashed whether or not the address has an account: the same cost either way.
        let hash = try await context.hashing { try await context.passwords.hash(PasswordPolicy.normalized(password)) }
        let existing = try await context.storeCall { try await context.store.account(emailKey: address.comparisonKey) }
        var payload = StepPayload(email: address.address)
        payload.pendingPasswordHash = existing == nil ? hash : nil
        let (token, record) = try context.issueStep(
            flow: try FlowID.random(), kind: .signUp, step: .confirmEmail, account: nil, emailKey: address.comparisonKey,
            previous: nil, client: client, payload: payload)
        try await context.commit(ChangeSet([.insertStep(record)]))
        if let wait = try await sendCode(address: address, existing: existing, binding: Array(record.flow.rawValue.utf8)) {
            return .tryLater(retryAfter: wait)
        }
        return .confirmEmail(token, sentTo: .email(masked: address.masked))
    }

    /// Sends the code again (after the resend cooldown), keeping the token.
    /// - Returns: ``SignUpAnswer/confirmEmail(_:sentTo:)`` with the same token, or ``SignUpAnswer/tryLater(retryAfter:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/unavailable``.
    public func resendCode(_ token: StepToken, client: ClientContext) async throws -> SignUpAnswer {
        let step = try await context.openStep(token, kind: .signUp, steps: [.confirmEmail], client: client)
        let address = EmailAddress(stored: step.payload.email)
        let existing = try await context.storeCall { try await context.store.account(emailKey: address.comparisonKey) }
        if let wait = try await sendCode(address: address, existing: step.payload.pendingPasswordHash == nil ? existing : nil, binding: step.binding) {
            return .tryLater(retryAfter: wait)
        }
        return .confirmEmail(token, sentTo: .email(masked: address.masked))
    }

    /// Confirms the address with the code: the account is created (identity unverified).
    /// - Returns: ``SignUpAnswer/accountCreated``, ``SignUpAnswer/wrongCode`` (wrong, expired or used; also for an
    ///   address that already had an account), or ``SignUpAnswer/locked(retryAfter:)``.
    /// - Throws: ``SignInError/stepInvalid``, ``SignInError/stepAlreadyUsed``, ``SignInError/concurrentChange`` when
    ///   another sign-up took the address meanwhile, ``SignInError/invalidInput(field:reason:)``, ``SignInError/unavailable``.
    public func confirmEmail(_ token: StepToken, code: String, client: ClientContext) async throws -> SignUpAnswer {
        try context.bound(code, field: "code", maximum: 64)
        let step = try await context.openStep(token, kind: .signUp, steps: [.confirmEmail], client: client)
        let outcome = try await context.stateCall {
            try await context.verifier.verifyIssuedCode(code, account: Self.codeIdentity(step.record.emailKey), purpose: .emailVerification, binding: step.binding)
        }
        switch outcome {
        case .accepted:
            guard let hash = step.payload.pendingPasswordHash else { return .wrongCode }
            let now = context.now
            let account = AccountRecord(
                id: try AccountID.random(), email: EmailAddress(stored: step.payload.email), state: .identityUnverified,
                passwordHash: hash, pinHash: nil, credentialVersion: 1, sealedPhone: nil, phoneLastFour: nil,
                devicesRevokedAt: nil, createdAt: now, credentialsChangedAt: nil)
            try await context.commit(
                ChangeSet([
                    .consumeStep(step.digest, now: now), .insertAccount(account),
                    try context.activity(.accountCreated, account: account.id, client: client),
                ]))
            return .accountCreated
        case .locked(let retryAfter): return .locked(retryAfter: retryAfter)
        case .rejected, .expired, .replayed: return .wrongCode
        }
    }

    /// The state-store identity sign-up codes are issued under: the address (no account exists yet).
    static func codeIdentity(_ emailKey: String) -> String { "sign-up:" + emailKey }

    private func sendCode(address: EmailAddress, existing: AccountRecord?, binding: [UInt8]) async throws -> Duration? {
        let context = self.context
        let existingID = existing?.id
        return try await context.sendCode(
            account: Self.codeIdentity(address.comparisonKey), purpose: .emailVerification, binding: binding,
            limitKey: address.comparisonKey,
            makeMessage: { code in
                try context.message(
                    existingID == nil ? .confirmEmailCode(code: code) : .alreadyRegistered, to: address.address, channel: .email,
                    account: existingID)
            })
    }
}
