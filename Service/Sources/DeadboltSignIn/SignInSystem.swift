import Deadbolt
import Logging

/// The sign-in system: accounts, the sign-up, sign-in, Forgot PIN and Forgot password flows, sessions, devices,
/// second factors, account activity, identity proofing and the outbox, over a ``SignInStore`` (the database) and
/// a ``Deadbolt/StateStore`` (limits, lockouts, codes).
///
/// ```swift
/// let system = try await SignInSystem(
///     store: try SQLiteSignInStore(path: "deadbolt.sqlite"), stateStore: InMemoryStateStore(clock: SystemClock()),
///     secrets: try SignInSecrets(sealing: sealingKeys, serverKey: serverKey),
///     passwordHasher: try PasswordHasher(for: .password, keyring: pepper),
///     pinHasher: try PasswordHasher(for: .pin, keyring: pepper))
/// switch try await system.signIn.start(email: "alice@example.com", client: client) { … }
/// ```
///
/// Every flow is a series of typed steps: each call takes the previous step's token and answers what comes next
/// with the next token. Nothing here knows HTTP; the reference server maps answers to pages and JSON.
public struct SignInSystem: Sendable {
    /// Sign up: email and password, then the emailed code.
    public let signUp: SignUpFlow
    /// Sign in: email, password, PIN, a second factor on a new device or network.
    public let signIn: SignInFlow
    /// Forgot PIN: email, a code by email or text, the password, a new PIN.
    public let forgotPIN: RecoveryFlow
    /// Forgot password: email, a code by email or text, the PIN, a new password.
    public let forgotPassword: RecoveryFlow
    /// Sessions and remembered devices.
    public let sessions: Sessions
    /// The signed-in person's account: factors, credentials, activity, "this wasn't me", deletion.
    public let account: AccountSettings
    /// The reference identity proofing: an operator's approval.
    public let identity: OperatorIdentityProofing
    /// Operator actions: an account's status, unlocking.
    public let administration: Administration
    let context: FlowContext

    /// A system.
    ///
    /// Makes the dummy password and PIN hashes (two Argon2 runs under the current parameters), so it is `async`.
    /// - Parameters:
    ///   - store: the database.
    ///   - stateStore: limits, lockouts, issued codes, TOTP replay markers (in memory for one process, Redis for many).
    ///   - secrets: the sealing keys and the server key.
    ///   - passwordHasher: hashes passwords (``Deadbolt/PasswordHasher`` `for: .password`).
    ///   - pinHasher: hashes PINs (``Deadbolt/PasswordHasher`` `for: .pin`, with a pepper).
    ///   - configuration: every number; ``SignInConfiguration`` documents the defaults.
    ///   - events: where the engine's security events go (a log); account activity is kept in `store`.
    ///   - clock: wall time for every stored time and TOTP (a ``Deadbolt/ManualClock`` in tests).
    ///   - logger: operational logs (never a secret).
    /// - Throws: ``SignInError/misconfigured(_:)`` for a configuration out of range or a hasher of the wrong kind,
    ///   ``SignInError/overloaded`` or ``SignInError/unavailable`` when the dummy hashes cannot be made.
    public init(
        store: any SignInStore, stateStore: any StateStore, secrets: SignInSecrets, passwordHasher: any CredentialHashing,
        pinHasher: any CredentialHashing, configuration: SignInConfiguration = SignInConfiguration(),
        events: any SecurityEventSink = DiscardingEventSink(), clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "deadbolt.sign-in")
    ) async throws {
        try configuration.validate()
        guard passwordHasher.kind == .password, pinHasher.kind == .pin else {
            throw SignInError.misconfigured("passwordHasher must hash passwords and pinHasher PINs")
        }
        var passwordPolicy = configuration.passwordPolicy
        passwordPolicy.serviceName = configuration.serviceName
        let dummyPassword: String
        let dummyPIN: String
        do {
            dummyPassword = try await passwordHasher.hash(try SecretBytes.random(count: 24))
            dummyPIN = try await pinHasher.hash(SecretBytes(Array("000000".utf8)))
        } catch HashingError.overloaded {
            throw SignInError.overloaded
        } catch {
            throw SignInError.misconfigured("could not make the dummy hashes: \(error)")
        }
        do {
            context = FlowContext(
                store: store, stateStore: stateStore, configuration: configuration, secrets: secrets,
                passwords: passwordHasher, pins: pinHasher, dummyPasswordHash: dummyPassword, dummyPINHash: dummyPIN,
                events: events, clock: clock,
                passwordLockout: try LockoutPolicy(store: stateStore, configuration: configuration.passwordLockout, events: events, wallClock: clock),
                pinLockout: try LockoutPolicy(store: stateStore, configuration: configuration.pinLockout, events: events, wallClock: clock),
                reenrollmentLockout: try LockoutPolicy(
                    store: stateStore, configuration: configuration.reenrollmentCodeLockout, events: events, wallClock: clock),
                verifier: OneTimeCodeVerifier(
                    store: stateStore, hashingKey: secrets.codeHashingKey, lockout: configuration.secondFactorLockout,
                    events: events, wallClock: clock),
                codeSends: try RateLimiter(store: stateStore, limit: configuration.codeSendLimit, purpose: "code-send", events: events, wallClock: clock),
                flowStarts: try RateLimiter(
                    store: stateStore, limit: configuration.flowStartsPerAddress, purpose: "flow-start", events: events, wallClock: clock),
                renderer: NoticeRenderer(serviceName: configuration.serviceName, notMeURL: configuration.notMeURL),
                passwordPolicy: passwordPolicy, logger: logger)
        } catch let error as SignInError {
            throw error
        } catch {
            throw SignInError.misconfigured("\(error)")
        }
        signUp = SignUpFlow(context: context)
        signIn = SignInFlow(context: context)
        forgotPIN = RecoveryFlow(context: context, resetting: .pin)
        forgotPassword = RecoveryFlow(context: context, resetting: .password)
        sessions = Sessions(context: context)
        account = AccountSettings(context: context)
        identity = OperatorIdentityProofing(context: context)
        administration = Administration(context: context)
    }

    /// A worker that delivers the outbox through `transport`, named `name` in its leases (unique per process).
    public func deliveryWorker(transport: any MessageTransport, name: String) -> DeliveryWorker {
        DeliveryWorker(context: context, transport: transport, name: name)
    }

    /// Deletes what expired: step tokens, sessions past their end or idle, remembered devices, activity older than
    /// the retention, delivered messages older than theirs. Run it every few minutes (the reference server does).
    /// - Throws: ``SignInError/unavailable``.
    public func purgeExpired() async throws -> PurgeCounts {
        let now = context.now
        let configuration = context.configuration
        return try await context.storeCall {
            try await context.store.purge(
                now: now, idleBefore: now.adding(.zero - configuration.sessionIdleTimeout),
                activityBefore: now.adding(.zero - configuration.activityRetention),
                messagesBefore: now.adding(.zero - configuration.deliveredMessageRetention))
        }
    }
}
