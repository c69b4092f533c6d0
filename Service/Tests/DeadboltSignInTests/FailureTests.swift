import Deadbolt
import Synchronization
import Testing

@testable import DeadboltSignIn

/// A state store that answers like the in-memory one until told to fail, then fails every call as an unreachable
/// Redis would.
final class SwitchableStateStore: StateStore {
    let base: InMemoryStateStore
    private let failing = Mutex(false)

    init(clock: ManualClock) { base = InMemoryStateStore(clock: clock) }

    func fail(_ on: Bool) { failing.withLock { $0 = on } }

    private func check() throws { if failing.withLock({ $0 }) { throw StateStoreError.unavailable(reason: "switched off") } }

    func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision { try check(); return try await base.acquireToken(key, limit: limit) }
    func refundToken(_ key: StateKey, limit: RateLimit) async throws { try check(); try await base.refundToken(key, limit: limit) }
    func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        try check(); return try await base.reserveAttempt(key, schedule: schedule)
    }
    func refundAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws { try check(); try await base.refundAttempt(key, schedule: schedule) }
    func resetAttempts(_ key: StateKey) async throws { try check(); try await base.resetAttempts(key) }
    func clearLockout(_ key: StateKey) async throws { try check(); try await base.clearLockout(key) }
    func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        try check(); return try await base.lockoutStatus(key, schedule: schedule)
    }
    func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool {
        try check(); return try await base.advanceCounter(key, to: value, ttl: ttl)
    }
    func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        try check(); try await base.putCode(key, digest: digest, context: context, tries: tries, ttl: ttl)
    }
    func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption { try check(); return try await base.redeemCode(key, digest: digest) }
    func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws { try check(); try await base.putCodeSet(key, digests: digests, ttl: ttl) }
    func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? { try check(); return try await base.redeemFromCodeSet(key, digest: digest) }
    func codeSetCount(_ key: StateKey) async throws -> Int { try check(); return try await base.codeSetCount(key) }
    func claim(_ key: StateKey, ttl: Duration) async throws -> Bool { try check(); return try await base.claim(key, ttl: ttl) }
    func remove(_ key: StateKey) async throws { try check(); try await base.remove(key) }
    func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        try check(); try await base.appendEvent(key, payload, keepLast: keepLast, ttl: ttl)
    }
    func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] { try check(); return try await base.recentEvents(key, limit: limit) }
}

/// A hasher whose pool is always at its budget.
final class OverloadedHasher: CredentialHashing {
    var kind: PasswordHasher.SecretKind { .password }
    let base: PasswordHasher
    let overloaded = Mutex(false)
    init(base: PasswordHasher) { self.base = base }
    func hash(_ secret: SecretBytes) async throws -> String {
        if overloaded.withLock({ $0 }) { throw HashingError.overloaded }
        return try await base.hash(secret)
    }
    func verify(_ secret: SecretBytes, against encoded: String) async throws -> Verification {
        if overloaded.withLock({ $0 }) { throw HashingError.overloaded }
        return try await base.verify(secret, against: encoded)
    }
}

@Suite struct FailureTests {
    @Test func aDatabaseFaultInTheMiddleOfAStepLeavesEverythingAsBeforeAndTheTokenUsable() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.activeAccount("faye@example.com", client: client)
        harness.clock.advance(by: .seconds(61))
        let answer = try await harness.signIn("faye@example.com", client: try Harness.client(browser: "browser-0000000123"))
        guard case .needSecondFactor(let token, _) = answer else { Issue.record("no second factor"); return }
        let newBrowser = try Harness.client(browser: "browser-0000000123")
        guard case .codeSent(let codeToken, _) = try await harness.system.signIn.sendSecondFactorCode(token, via: .email, client: newBrowser) else {
            Issue.record("no code"); return
        }
        let code = try await harness.lastCode(to: "faye@example.com")
        let account = try #require(try await harness.store.account(emailKey: "faye@example.com"))
        let sessionsBefore = try await harness.store.sessions(account: account.id)
        let activityBefore = try await harness.store.activity(account: account.id, after: nil, limit: 100)
        // The session's change set fails after its third change (step consumed, session inserted, network recorded).
        harness.faults.failNextChangeSet(afterChanges: 3)
        await #expect(throws: SignInError.unavailable) {
            _ = try await harness.system.signIn.submitSecondFactor(codeToken, proof: .sentCode(code), rememberDevice: true, client: newBrowser)
        }
        #expect(try await harness.store.sessions(account: account.id) == sessionsBefore)
        #expect(try await harness.store.activity(account: account.id, after: nil, limit: 100) == activityBefore)
        #expect(try await harness.store.rememberedDevices(account: account.id).count == 1, "only the first sign-in's device")
        // The code was redeemed by the failed attempt (the state store is not transactional with the database), so a
        // new one is sent; the step token itself is still usable.
        harness.clock.advance(by: .seconds(61))
        guard case .codeSent(let again, _) = try await harness.system.signIn.sendSecondFactorCode(codeToken, via: .email, client: newBrowser) else {
            Issue.record("the step token did not survive the fault"); return
        }
        let second = try await harness.lastCode(to: "faye@example.com")
        guard case .signedIn = try await harness.system.signIn.submitSecondFactor(again, proof: .sentCode(second), rememberDevice: true, client: newBrowser) else {
            Issue.record("no session after the fault"); return
        }
    }

    @Test func anUnreachableStateStoreFailsClosed() async throws {
        let clock = ManualClock()
        let state = SwitchableStateStore(clock: clock)
        let harness = try await Harness(clock: clock, stateStore: state)
        let client = try Harness.client()
        try await harness.activeAccount("sal@example.com", client: client)
        let token = try await harness.passwordStep("sal@example.com", client: client)
        state.fail(true)
        let verifiesBefore = harness.passwords.verifies
        await #expect(throws: SignInError.unavailable) {
            _ = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        }
        #expect(harness.passwords.verifies == verifiesBefore, "no check runs without a reservation")
        await #expect(throws: SignInError.unavailable) { _ = try await harness.system.signIn.start(email: "sal@example.com", client: client) }
        state.fail(false)
        guard case .needPIN = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("the token did not survive the outage"); return
        }
    }

    @Test func anOverloadedHashingPoolIsATypedErrorAndLeavesTheTokenUsable() async throws {
        let base = try PasswordHasher(for: .password, algorithm: Harness.small, keyring: nil)
        let hasher = OverloadedHasher(base: base)
        let harness = try await Harness(passwordHasher: hasher)
        let client = try Harness.client()
        try await harness.signUp("olga@example.com", client: client)
        let token = try await harness.passwordStep("olga@example.com", client: client)
        hasher.overloaded.withLock { $0 = true }
        await #expect(throws: SignInError.overloaded) {
            _ = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        }
        hasher.overloaded.withLock { $0 = false }
        guard case .signedIn = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("the token did not survive"); return
        }
    }

    @Test func purgeRemovesWhatExpired() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("pat@example.com", client: client)
        try await harness.deliver()
        harness.clock.advance(by: .seconds(91 * 86_400))
        let counts = try await harness.system.purgeExpired()
        #expect(counts.sessions == 1 && counts.devices == 1)
        #expect(counts.steps > 0 && counts.activity > 0 && counts.messages > 0)
        #expect(try await harness.store.session(tokenDigest: try harness.system.context.secrets.tokens.digest(grant.token)) == nil)
    }
}
