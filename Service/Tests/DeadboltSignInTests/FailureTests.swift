import Deadbolt
import DeadboltRedis
import Synchronization
import Testing

@testable import DeadboltSignIn

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
        let healthy = try await Harness()
        let client = try Harness.client()
        try await healthy.activeAccount("sal@example.com", client: client)
        let token = try await healthy.passwordStep("sal@example.com", client: client)
        // A second replica on the same database whose Redis does not answer (nothing listens on port 1).
        let deadRedis = try RedisStateStore(configuration: RedisConfiguration(topology: .standalone(try RedisEndpoint(host: "127.0.0.1", port: 1))))
        defer { deadRedis.shutdown() }
        let cutOff = try await Harness(clock: healthy.clock, store: healthy.store, stateStore: deadRedis)
        await #expect(throws: SignInError.unavailable) {
            _ = try await cutOff.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        }
        #expect(cutOff.passwords.verifies == 0, "no check runs without a reservation")
        await #expect(throws: SignInError.unavailable) { _ = try await cutOff.system.signIn.start(email: "sal@example.com", client: client) }
        guard case .needPIN = try await healthy.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
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
