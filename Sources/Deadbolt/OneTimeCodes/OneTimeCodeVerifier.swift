/// Which kind of code a verification checked.
public enum OneTimeCodeKind: String, Sendable, Equatable {
    /// A TOTP code (RFC 6238).
    case totp
    /// An HOTP code (RFC 4226), or a resynchronising pair of them.
    case hotp
    /// An SMS or e-mail code from ``IssuedCodeSender``.
    case issuedCode = "issued-code"
    /// A recovery code from ``RecoveryCodes``.
    case recoveryCode = "recovery-code"
}

/// What an accepted code tells the service.
public struct OneTimeCodeAcceptance: Sendable, Equatable {
    /// The kind of code.
    public let kind: OneTimeCodeKind
    /// TOTP: the time step matched; HOTP: the counter matched (store `counter + 1` as the next expected one).
    public let counter: UInt64?
    /// TOTP: steps from the current one (negative: the past); HOTP: counters past the expected one. Services may
    /// store it to track a drifting token.
    public let drift: Int64?
    /// Recovery codes: how many are left (prompt the user to make a new set when few are).
    public let remainingRecoveryCodes: Int?

    /// An acceptance (the verifier makes these; services build them to compare outcomes in their tests).
    public init(kind: OneTimeCodeKind, counter: UInt64?, drift: Int64?, remainingRecoveryCodes: Int?) {
        self.kind = kind
        self.counter = counter
        self.drift = drift
        self.remainingRecoveryCodes = remainingRecoveryCodes
    }
}

/// The outcome of checking one code. Every case maps to one ``SecurityEvent/Kind`` through ``eventKind``.
public enum OneTimeCodeOutcome: Sendable, Equatable {
    /// The right code, unused: the lockout budget is reset.
    case accepted(OneTimeCodeAcceptance)
    /// A wrong code (or one bound to another request); it counts against the lockout budget.
    case rejected
    /// The right code, already used: refused, and worth a security event (someone else may have seen it).
    case replayed
    /// No code is waiting: never issued, expired, used, or out of tries (issued codes only).
    case expired
    /// The account's second-factor budget is locked; nothing was checked. `retryAfter` is `nil` for a hard lock
    /// that only ``StateStore/clearLockout(_:)`` lifts.
    case locked(retryAfter: Duration?)

    /// The security event this outcome calls for (the verifier records it).
    public var eventKind: SecurityEvent.Kind {
        switch self {
        case .accepted(let acceptance): acceptance.kind == .recoveryCode ? .recoveryCodeUsed : .codeRedeemed
        case .rejected: .codeRejected
        case .replayed: .codeReplayed
        case .expired: .codeExpired
        case .locked: .attemptBlocked
        }
    }
}

/// The one path every second-factor code goes through: TOTP, HOTP, SMS/e-mail and recovery codes.
///
/// Each check reserves an attempt in the account's lockout budget before anything else (RFC 4226 §7.3), at the
/// state key `lockout` / account / `second-factor` under ``lockout`` — one budget for all kinds, so an attacker cannot
/// spread guesses over them — and resets it on acceptance. A replayed or wrong code stays counted. Comparisons
/// run in constant time; TOTP and HOTP codes are accepted at most once each (the credential's last-used step or
/// counter advances atomically through ``StateStore/advanceCounter(_:to:ttl:)``, storing step + 1 so step 0
/// works); issued and recovery codes are single use by their store operations.
///
/// Every key is built from the account with ``StateKey/init(namespace:identifier:name:)``, the escaping every
/// policy shares, so any account id (`a{b}@example.com` included) works, and no two accounts share a key.
///
/// Every outcome is recorded as a ``SecurityEvent`` (``OneTimeCodeOutcome/eventKind``), never with the code. A
/// `StateStoreError` is recorded as ``SecurityEvent/Kind/storeUnavailable`` and thrown, never turned into an
/// acceptance: callers fail closed.
public struct OneTimeCodeVerifier: Sendable {
    /// The shared state.
    public let store: any StateStore
    /// The lockout schedule for the second-factor budget.
    public let lockout: LockoutSchedule
    /// How long an HOTP credential's last-used counter is kept: ten years by default.
    public let hotpCounterLifetime: Duration
    let hashingKey: CodeHashingKey
    let events: EventRecorder

    /// How long a TOTP credential's last-used step is kept after the acceptance that last advanced it: 366 days,
    /// fixed. The step is one key per credential (`otp-step`), so it costs one small entry per authenticator in
    /// use, and it must outlive every way an old step could match again: any caller's window (the widest
    /// ``TOTP`` accepts spans 2 × ``TOTP/maximumWindow`` + 2 steps of up to ``TOTP/maximumPeriod``, 202 days), a
    /// replica whose wall clock lags, or a clock stepped back. A lifetime taken from one call's window let a
    /// caller with a wider window, or a clock stepped back past it, accept a used step again.
    public static let totpStepLifetime: Duration = .seconds(366 * 86_400)

    /// A lockout for guessable codes: 5 free tries, then 30 s doubling to 15 min; hard lock at 100 failures
    /// (NIST SP 800-63B §5.2.2), forgotten after a day.
    public static let defaultLockout = LockoutSchedule(
        threshold: 5, initialWait: .seconds(30), maximumWait: .seconds(900), hardLockAfter: 100,
        failureMemory: .seconds(86_400))

    /// A verifier.
    /// - Parameters:
    ///   - hashingKey: the key issued and recovery codes were hashed under.
    ///   - events: where each outcome is recorded.
    ///   - wallClock: TOTP's time and the events' timestamps; tests inject one.
    public init(
        store: any StateStore, hashingKey: CodeHashingKey, lockout: LockoutSchedule = defaultLockout,
        hotpCounterLifetime: Duration = .seconds(10 * 365 * 86_400),
        events: any SecurityEventSink = DiscardingEventSink(), wallClock: any WallClock = SystemClock()
    ) {
        self.store = store
        self.hashingKey = hashingKey
        self.lockout = lockout
        self.hotpCounterLifetime = hotpCounterLifetime
        self.events = EventRecorder(sink: events, wallClock: wallClock)
    }


    /// The lockout key of an account's second-factor budget: `lockout` / `account` / `second-factor`, the account
    /// escaped as ``StateKey/init(namespace:identifier:name:)`` escapes every identifier.
    /// - Throws: ``StateStoreError/invalidKey(_:)`` when `account` is empty or longer than 256 bytes once escaped.
    public static func lockoutKey(account: String) throws -> StateKey {
        try StateKey(namespace: "lockout", identifier: account, name: "second-factor")
    }

    /// Checks a TOTP `code` for `account`'s credential `credential` (an id of the enrolled authenticator) within
    /// `window` of the current step. A step at or before the credential's last accepted one is
    /// ``OneTimeCodeOutcome/replayed`` for ``totpStepLifetime`` after that acceptance, whatever window this or any
    /// other caller uses and wherever its wall clock stands (RFC 6238 §5.2).
    /// - Throws: ``OTPError``, ``StateStoreError``.
    public func verifyTOTP(
        _ code: String, totp: TOTP, account: String, credential: String = "totp", window: OTPWindow = .default
    ) async throws -> OneTimeCodeOutcome {
        let stepKey = try StateKey(namespace: "otp-step", identifier: account, name: credential)
        return try await guarded(account: account) {
            guard let match = try totp.match(code, at: events.wallClock.unixSeconds(), window: window) else { return .rejected }
            // Step UInt64.max cannot be marked used (step + 1 overflows), so it is never accepted.
            let (next, overflow) = match.counter.addingReportingOverflow(1)
            guard !overflow else { return .rejected }
            // The lifetime is fixed, never this call's window: see `totpStepLifetime`. Each acceptance renews it.
            guard try await store.advanceCounter(stepKey, to: next, ttl: Self.totpStepLifetime) else { return .replayed }
            return .accepted(.init(kind: .totp, counter: match.counter, drift: match.drift, remainingRecoveryCodes: nil))
        }
    }

    /// Checks an HOTP `code` for `account`'s credential at `expectedCounter` (the service's stored next counter)
    /// or up to `lookAhead` counters after it (RFC 4226 §7.4). On acceptance, store `counter + 1` of the result.
    /// - Throws: ``OTPError``, ``StateStoreError``.
    public func verifyHOTP(
        _ code: String, hotp: HOTP, account: String, credential: String = "hotp", expectedCounter: UInt64,
        lookAhead: Int = 10
    ) async throws -> OneTimeCodeOutcome {
        try await guarded(account: account) {
            let match = try hotp.match(code, counter: expectedCounter, lookAhead: lookAhead)
            return try await acceptHOTP(match, account: account, credential: credential)
        }
    }

    /// Resynchronises an HOTP token that ran far ahead with two consecutive codes (RFC 4226 §7.4), searching
    /// `lookAhead` counters (default 100) after `expectedCounter`. The result's counter is the second code's.
    /// - Throws: ``OTPError``, ``StateStoreError``.
    public func resynchronizeHOTP(
        first: String, second: String, hotp: HOTP, account: String, credential: String = "hotp",
        expectedCounter: UInt64, lookAhead: Int = 100
    ) async throws -> OneTimeCodeOutcome {
        try await guarded(account: account) {
            let match = try hotp.resynchronize(first: first, second: second, counter: expectedCounter, lookAhead: lookAhead)
            return try await acceptHOTP(match, account: account, credential: credential)
        }
    }

    /// Redeems an SMS or e-mail code issued by ``IssuedCodeSender`` for `account` and `purpose`; `binding` must be
    /// the one given at issue (compared in constant time). A code redeemed with another binding is spent and
    /// rejected. Input may be lower case, with spaces or hyphens.
    /// - Throws: ``MACError``, ``StateStoreError``.
    public func verifyIssuedCode(_ code: String, account: String, purpose: CodePurpose, binding: [UInt8]) async throws
        -> OneTimeCodeOutcome
    {
        let key = try IssuedCodeSender.codeKey(account: account, purpose: purpose)
        return try await guarded(account: account) {
            guard var normalized = CodeAlphabet.normalize(code) else { return .rejected }
            defer { SecretBytes.wipe(&normalized) }
            let digest = try IssuedCodeSender.digest(normalized, account: account, purpose: purpose, key: hashingKey)
            switch try await store.redeemCode(key, digest: digest) {
            case .redeemed(let context):
                guard ConstantTime.equals(context, binding) else { return .rejected }
                return .accepted(.init(kind: .issuedCode, counter: nil, drift: nil, remainingRecoveryCodes: nil))
            case .mismatch:
                return .rejected
            case .absent:
                return .expired
            }
        }
    }

    /// Redeems one of `account`'s recovery codes (``RecoveryCodes``); it cannot be used again.
    /// - Throws: ``MACError``, ``StateStoreError``.
    public func verifyRecoveryCode(_ code: String, account: String) async throws -> OneTimeCodeOutcome {
        let key = try RecoveryCodes.setKey(account: account)
        return try await guarded(account: account) {
            guard var normalized = RecoveryCodes.normalized(code) else { return .rejected }
            defer { SecretBytes.wipe(&normalized) }
            let digest = try RecoveryCodes.digest(normalized, account: account, key: hashingKey)
            guard let remaining = try await store.redeemFromCodeSet(key, digest: digest) else { return .rejected }
            return .accepted(.init(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: remaining))
        }
    }

    private func acceptHOTP(_ match: OTPMatch?, account: String, credential: String) async throws -> OneTimeCodeOutcome {
        guard let match else { return .rejected }
        let counterKey = try StateKey(namespace: "otp-counter", identifier: account, name: credential)
        // Counter UInt64.max cannot be marked used (counter + 1 overflows), so it is never accepted.
        let (next, overflow) = match.counter.addingReportingOverflow(1)
        guard !overflow else { return .rejected }
        guard try await store.advanceCounter(counterKey, to: next, ttl: hotpCounterLifetime) else { return .replayed }
        return .accepted(.init(kind: .hotp, counter: match.counter, drift: match.drift, remainingRecoveryCodes: nil))
    }

    /// Reserve an attempt, run the check, reset the budget only on acceptance, and record the outcome.
    private func guarded(account: String, _ check: () async throws -> OneTimeCodeOutcome) async throws
        -> OneTimeCodeOutcome
    {
        let key = try Self.lockoutKey(account: account)
        let outcome: OneTimeCodeOutcome
        do {
            switch try await store.reserveAttempt(key, schedule: lockout) {
            case .locked(let retryAfter): outcome = .locked(retryAfter: retryAfter)
            case .hardLocked: outcome = .locked(retryAfter: nil)
            case .admitted:
                outcome = try await check()
                if case .accepted = outcome { try await store.resetAttempts(key) }
            }
        } catch let error as StateStoreError {
            await events.record(.storeUnavailable, account: account, storeFailure: error)
            throw error
        }
        var retryAfter: Duration?
        if case .locked(let wait) = outcome { retryAfter = wait }
        await events.record(outcome.eventKind, account: account, retryAfter: retryAfter)
        return outcome
    }
}
