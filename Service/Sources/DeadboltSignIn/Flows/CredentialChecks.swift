import Deadbolt
import Foundation

/// Why a credential check was refused before it ran.
enum Refusal: Sendable, Hashable {
    case locked(Duration)
    case hardLocked
}

/// The outcome of a password or PIN check.
enum CredentialCheck: Sendable {
    /// Refused by a lock before any check.
    case refused(Refusal)
    /// Wrong (or no such account, or no such credential): counted.
    case failed
    /// Right; `rehash` holds the change that upgrades the stored hash, if it needs one.
    case verified(AccountRecord, rehash: [Change])
}

/// The outcome of choosing a new PIN or password.
enum NewCredential<Violation: Sendable & Hashable>: Sendable {
    case refused([Violation])
    case accepted([Change])
}

extension SignInAnswer {
    init(_ refusal: Refusal) {
        switch refusal {
        case .locked(let wait): self = .locked(retryAfter: wait)
        case .hardLocked: self = .hardLocked
        }
    }
}

extension RecoveryAnswer {
    init(_ refusal: Refusal) {
        switch refusal {
        case .locked(let wait): self = .locked(retryAfter: wait)
        case .hardLocked: self = .hardLocked
        }
    }
}

extension FlowContext {
    /// The identity a PIN's lockout counts under: the account at its credential version. Every credential change
    /// (a new PIN, a new password, an operator's unlock) moves the version on, and with it every lockout key of the
    /// account, the per-address ones included: the engine's lockout can clear a key but cannot list an account's
    /// addresses, so moving to fresh keys is how every lock of every address ends at once.
    static func pinLockIdentity(_ account: AccountRecord) -> String { "\(account.id.rawValue):v\(account.credentialVersion)" }

    /// The identity a password's lockout counts under: the address (whether or not it has an account, so an
    /// unknown one is limited like a known one), at the account's credential version when it has one.
    static func passwordLockIdentity(emailKey: String, account: AccountRecord?) -> String {
        account.map { "\(emailKey):v\($0.credentialVersion)" } ?? emailKey
    }

    /// The account a step belongs to, read afresh; `nil` when the step has none or it was deleted.
    func account(of step: OpenStep) async throws -> AccountRecord? {
        guard let id = step.account else { return nil }
        return try await storeCall { try await store.account(id: id) }
    }

    /// Runs a state-store call, mapping its failures to ``SignInError/unavailable`` (fail closed).
    func stateCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch is StateStoreError {
            throw SignInError.unavailable
        } catch is MACError {
            throw SignInError.misconfigured("the code hashing key failed")
        } catch let error as OTPError {
            throw SignInError.misconfigured("an authenticator could not be checked: \(error)")
        }
    }

    /// Checks a password for the step's email: reserve an attempt under the email's lockout keys (whether or not
    /// it has an account), verify against the account's hash or the dummy hash, settle. One Argon2 run either way.
    func checkPassword(_ password: String, step: OpenStep, client: ClientContext) async throws -> CredentialCheck {
        try await checkPassword(password, emailKey: step.record.emailKey, account: try await account(of: step), client: client)
    }

    /// Checks a password for the address `emailKey` and its account (`nil`: none; the dummy hash is verified).
    func checkPassword(_ password: String, emailKey: String, account: AccountRecord?, client: ClientContext) async throws -> CredentialCheck {
        let ticket: AttemptTicket
        switch try await passwordLockout.reserve(
            account: Self.passwordLockIdentity(emailKey: emailKey, account: account), source: client.addressKey, device: nil)
        {
        case .admitted(let admitted): ticket = admitted
        case .locked(let wait): return .refused(.locked(wait))
        case .hardLocked: return .refused(.hardLocked)
        case .unavailable: throw SignInError.unavailable
        }
        let stored = account?.passwordHash
        let secret = PasswordPolicy.normalized(password)
        let verification = try await hashing { try await passwords.verify(secret, against: stored ?? dummyPasswordHash) }
        guard let account, let stored, verification.isMatch else {
            await passwordLockout.failed(ticket)
            try await noteFailure(ticket, policy: passwordLockout, account: account, kind: .passwordFailed, client: client)
            return .failed
        }
        await passwordLockout.succeeded(ticket)
        var rehash: [Change] = []
        if verification == .matchedNeedsRehash {
            rehash = [.rehashCredential(account: account.id, credential: .password, previous: stored, hash: try await hashing { try await passwords.hash(secret) })]
        }
        return .verified(account, rehash: rehash)
    }

    /// Checks a PIN for the step's account, under the account's PIN lockout keys. One Argon2 run, against the
    /// dummy hash when the account has no PIN.
    func checkPIN(_ pin: String, step: OpenStep, client: ClientContext) async throws -> CredentialCheck {
        // A PIN step always names an account (only a known account's password opens one); a deleted one is checked
        // against the dummy hash under its address's key.
        try await checkPIN(pin, account: try await account(of: step), orIdentity: step.record.emailKey, client: client)
    }

    /// Checks a PIN for `account` under its PIN lockout keys (`identity`'s when there is no account).
    func checkPIN(_ pin: String, account: AccountRecord?, orIdentity identity: String, client: ClientContext) async throws -> CredentialCheck {
        let ticket: AttemptTicket
        switch try await pinLockout.reserve(account: account.map(Self.pinLockIdentity) ?? identity, source: client.addressKey, device: nil) {
        case .admitted(let admitted): ticket = admitted
        case .locked(let wait): return .refused(.locked(wait))
        case .hardLocked: return .refused(.hardLocked)
        case .unavailable: throw SignInError.unavailable
        }
        let stored = account?.pinHash
        let verification = try await hashing { try await pins.verify(SecretBytes(utf8: pin), against: stored ?? dummyPINHash) }
        guard let account, let stored, verification.isMatch else {
            await pinLockout.failed(ticket)
            try await noteFailure(ticket, policy: pinLockout, account: account, kind: .pinFailed, client: client)
            return .failed
        }
        await pinLockout.succeeded(ticket)
        var rehash: [Change] = []
        if verification == .matchedNeedsRehash {
            rehash = [.rehashCredential(account: account.id, credential: .pin, previous: stored, hash: try await hashing { try await pins.hash(SecretBytes(utf8: pin)) })]
        }
        return .verified(account, rehash: rehash)
    }

    /// The person's facts, unsealed, for the PIN policy; `nil` when no proofing is recorded.
    func personalFacts(of account: AccountID) async throws -> PersonalFacts? {
        guard let proofing = try await storeCall({ try await store.identityProofing(account: account) }) else { return nil }
        let json = try unsealText(proofing.sealedFacts, account: account.rawValue)
        do {
            return try JSONDecoder().decode(PersonalFacts.self, from: Data(json.utf8))
        } catch {
            throw SignInError.misconfigured("the sealed personal facts do not decode")
        }
    }

    /// Checks a new PIN under the policy with the person's facts and, when `previousPIN` is known (Forgot password
    /// gives it), the previous PIN; otherwise the previous PIN is compared through its hash (one more Argon2 run).
    /// Accepted: the changes that set it (hash at the account's credential version), log it and notify.
    func newPINChanges(_ pin: String, account: AccountRecord, client: ClientContext, previousPIN: String? = nil) async throws -> NewCredential<PINPolicy.Violation> {
        let facts = try await personalFacts(of: account.id)
        let pinContext: PINContext
        do {
            pinContext = try facts?.pinContext(previousPIN: previousPIN) ?? PINContext(previousPIN: previousPIN)
        } catch {
            pinContext = try facts?.pinContext() ?? .empty
        }
        var violations = configuration.pinPolicy.evaluate(pin, context: pinContext)
        if violations.isEmpty, previousPIN == nil, let old = account.pinHash,
            try await hashing({ try await pins.verify(SecretBytes(utf8: pin), against: old) }).isMatch
        {
            violations.append(.matchesPreviousPIN)
        }
        guard violations.isEmpty else { return .refused(violations) }
        let hash = try await hashing { try await pins.hash(SecretBytes(utf8: pin)) }
        var changes: [Change] = [
            .setPINHash(account: account.id, hash: hash, expectedCredentialVersion: account.credentialVersion, at: now),
            try activity(.pinChanged, account: account.id, client: client),
        ]
        changes += try notifyEveryChannel(.pinChanged(at: now), account: account)
        return .accepted(changes)
    }

    /// Checks a new password under the policy; accepted: the changes that set it, log it and notify.
    func newPasswordChanges(_ password: String, account: AccountRecord, client: ClientContext) async throws -> NewCredential<PasswordViolation> {
        let violations = passwordPolicy.evaluate(password, email: account.email)
        guard violations.isEmpty else { return .refused(violations) }
        let hash = try await hashing { try await passwords.hash(PasswordPolicy.normalized(password)) }
        var changes: [Change] = [
            .setPasswordHash(account: account.id, hash: hash, expectedCredentialVersion: account.credentialVersion, at: now),
            try activity(.passwordChanged, account: account.id, client: client),
        ]
        changes += try notifyEveryChannel(.passwordChanged(at: now), account: account)
        return .accepted(changes)
    }

    /// What the person may use as a second factor.
    func secondFactorChoices(for account: AccountRecord) async throws -> [SecondFactorChoice] {
        var choices: [SecondFactorChoice] = []
        if let lastFour = account.phoneLastFour { choices.append(.textMessage(maskedPhone: Self.maskPhone(lastFour: lastFour))) }
        choices.append(.email(maskedEmail: account.email.masked))
        if try await !storeCall({ try await store.authenticators(account: account.id) }).isEmpty { choices.append(.authenticatorApp) }
        if try await !storeCall({ try await store.recoveryCodeDigests(account: account.id) }).isEmpty { choices.append(.recoveryCode) }
        return choices
    }

    /// Checks an authenticator code against the account's authenticators (through the engine's verifier: its
    /// second-factor budget and TOTP replay markers).
    func verifyAuthenticatorCode(_ code: String, account: AccountRecord) async throws -> OneTimeCodeOutcome {
        let authenticators = try await storeCall { try await store.authenticators(account: account.id) }
        guard !authenticators.isEmpty else { throw SignInError.stepInvalid }
        var last = OneTimeCodeOutcome.rejected
        for authenticator in authenticators {
            let secret = try unsealSecret(authenticator.sealedSecret, account: account.id)
            let totp: TOTP
            do {
                totp = try TOTP(secret: secret)
            } catch {
                throw SignInError.misconfigured("a stored authenticator secret is unusable")
            }
            last = try await stateCall {
                try await verifier.verifyTOTP(
                    code, totp: totp, account: account.id.rawValue, credential: authenticator.id.rawValue, window: configuration.totpWindow)
            }
            switch last {
            case .accepted, .locked, .replayed: return last
            case .rejected, .expired: continue
            }
        }
        return last
    }

    func unsealSecret(_ sealed: String, account: AccountID) throws -> SecretBytes {
        do {
            return try secrets.sealing.unseal(sealed, account: account.rawValue).secret
        } catch {
            throw SignInError.misconfigured("could not open a sealed authenticator secret: \(error)")
        }
    }
}
