import Deadbolt
import Testing

@testable import DeadboltSignIn

/// Re-authentication inside a session: password and PIN, through the sign-in's lockout budgets, move the session's
/// authentication time so sensitive changes are allowed again.
@Suite struct ReauthenticationTests {
    static let window = Duration.seconds(15 * 60)

    /// An active account whose session is past the re-authentication window.
    static func staleSession(_ harness: Harness, _ email: String, client: ClientContext) async throws -> (SessionGrant, AuthenticatedSession) {
        let grant = try await harness.activeAccount(email, client: client)
        harness.clock.advance(by: .seconds(16 * 60))
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(session, client: client) }
        return (grant, session)
    }

    @Test func passwordAndPINMoveTheSessionsAuthenticationTime() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let (grant, session) = try await Self.staleSession(harness, "ada@example.com", client: client)
        let before = (passwords: harness.passwords.verifies, pins: harness.pins.verifies)
        let answer = try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client)
        #expect(answer == .reauthenticated(until: Timestamp(harness.clock).adding(Self.window)))
        #expect(harness.passwords.verifies - before.passwords == 1 && harness.pins.verifies - before.pins == 1, "one check of each")
        #expect(try await harness.system.account.generateRecoveryCodes(session, client: client).count == 10)
        let listed = try #require(try await harness.system.sessions.list(session).first { $0.id == grant.session.id })
        #expect(listed.authenticatedAt == Timestamp(harness.clock))
        let entries = try await harness.system.account.activity(session, limit: 3).entries
        #expect(entries.contains { $0.kind == .signedIn && $0.at == Timestamp(harness.clock) }, "recorded as a sign-in")
        // The window runs from the re-authentication.
        harness.clock.advance(by: Self.window)
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.changePIN(session, newPIN: "582947", client: client) }
    }

    @Test func aWrongPasswordIsCountedAndTheSessionStaysStale() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let (_, session) = try await Self.staleSession(harness, "bea@example.com", client: client)
        let pinChecks = harness.pins.verifies
        #expect(try await harness.system.sessions.reauthenticate(session, password: "not the password at all", pin: Harness.goodPIN, client: client) == .wrongPassword)
        #expect(harness.pins.verifies == pinChecks, "the PIN is not checked after a wrong password")
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(session, client: client) }
        #expect(try await harness.system.account.activity(session, limit: 1).entries.first?.kind == .passwordFailed)
        #expect(harness.events.kinds(.attemptFailed) >= 1)
    }

    @Test func aWrongPINIsCountedInTheSignInsBudgetAndLocksIt() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let (_, session) = try await Self.staleSession(harness, "cid@example.com", client: client)
        try await harness.deliver()
        for _ in 0..<5 {
            #expect(try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: "000000", client: client) == .wrongPIN)
        }
        #expect(try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client)
            == .locked(retryAfter: .seconds(60)), "the right PIN is not even checked while locked")
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(session, client: client) }
        // The same budget as a sign-in's PIN step, from this address.
        #expect(try await harness.signIn("cid@example.com", client: client) == .locked(retryAfter: .seconds(60)))
        let locked = try await harness.deliver().filter { if case .accountLocked = $0.notice { true } else { false } }
        #expect(Set(locked.map(\.channel)) == [.email, .sms], "one lock, one notice per channel")
        harness.clock.advance(by: .seconds(61))
        guard case .reauthenticated = try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client) else {
            Issue.record("not re-authenticated after the wait"); return
        }
    }

    @Test func wrongPasswordsHardLockLikeASignIns() async throws {
        let lockout = LockoutSchedule(threshold: 2, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 3, failureMemory: .seconds(86_400))
        let harness = try await Harness(configuration: Harness.configuration {
            $0.passwordLockout = LockoutPolicy.Configuration(purpose: "password", account: lockout, accountSource: lockout)
        })
        let client = try Harness.client()
        let (_, session) = try await Self.staleSession(harness, "dov@example.com", client: client)
        var answers: [ReauthenticationAnswer] = []
        for _ in 0..<4 {
            answers.append(try await harness.system.sessions.reauthenticate(session, password: "not the password at all", pin: Harness.goodPIN, client: client))
            harness.clock.advance(by: .seconds(2))
        }
        #expect(answers == [.wrongPassword, .wrongPassword, .wrongPassword, .hardLocked])
        #expect(try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client) == .hardLocked)
        let start = try await harness.passwordStep("dov@example.com", client: client)
        #expect(try await harness.system.signIn.submitPassword(start, password: Harness.defaultPassword, client: client) == .hardLocked)
    }

    @Test func anotherAccountsCredentialsDoNotReauthenticateASession() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let (_, ada) = try await Self.staleSession(harness, "eve@example.com", client: client)
        // A second account with its own password and PIN.
        let otherPassword = "a different strong passphrase"
        let otherClient = try Harness.client("198.51.100.7", browser: "browser-0000000099")
        try await harness.signUp("fox@example.com", password: otherPassword, client: otherClient)
        try await harness.verifyIdentity("fox@example.com")
        let start = try await harness.passwordStep("fox@example.com", client: otherClient)
        guard case .needNewPIN(let pinToken) = try await harness.system.signIn.submitPassword(start, password: otherPassword, client: otherClient) else {
            Issue.record("no new-PIN step"); return
        }
        let foxGrant = try await harness.finishWithEmailCode(
            try await harness.system.signIn.setFirstPIN(pinToken, pin: "582947", client: otherClient), email: "fox@example.com", client: otherClient,
            rememberDevice: false)
        harness.clock.advance(by: .seconds(16 * 60))
        let fox = try await harness.system.sessions.authenticate(foxGrant.token, client: otherClient)

        #expect(try await harness.system.sessions.reauthenticate(ada, password: otherPassword, pin: "582947", client: client) == .wrongPassword)
        #expect(try await harness.system.sessions.reauthenticate(ada, password: Harness.defaultPassword, pin: "582947", client: client) == .wrongPIN)
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(ada, client: client) }
        // Re-authenticating one account's session leaves the other's as it was.
        guard case .reauthenticated = try await harness.system.sessions.reauthenticate(ada, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client) else {
            Issue.record("the owner's credentials were refused"); return
        }
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(fox, client: otherClient) }
        // The failures above were counted against the session's account, not the credentials' owner.
        let foxStatus = try #require(try await harness.system.administration.status(email: try EmailAddress("fox@example.com")))
        #expect(foxStatus.passwordLock.failures == 0 && foxStatus.pinLock.failures == 0)
    }

    @Test func anEndedSessionAVerifyYourIdentitySessionAndOversizedInputAreRefused() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let (grant, session) = try await Self.staleSession(harness, "gus@example.com", client: client)
        let checks = harness.passwords.verifies
        await #expect(throws: SignInError.invalidInput(field: "password", reason: "must be 1 to 4096 bytes")) {
            _ = try await harness.system.sessions.reauthenticate(session, password: String(repeating: "x", count: 4097), pin: Harness.goodPIN, client: client)
        }
        await #expect(throws: SignInError.invalidInput(field: "pin", reason: "must be 1 to 64 bytes")) {
            _ = try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: "", client: client)
        }
        #expect(harness.passwords.verifies == checks, "bounds come before any hashing")
        try await harness.system.sessions.signOut(session, client: client)
        await #expect(throws: SignInError.notSignedIn) {
            _ = try await harness.system.sessions.reauthenticate(session, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client)
        }
        _ = grant

        try await harness.signUp("hal@example.com")
        let start = try await harness.passwordStep("hal@example.com", client: client)
        guard case .signedIn(let pending) = try await harness.system.signIn.submitPassword(start, password: Harness.defaultPassword, client: client) else {
            Issue.record("no verify-your-identity session"); return
        }
        let unverified = try await harness.system.sessions.authenticate(pending.token, client: client)
        await #expect(throws: SignInError.accessDenied) {
            _ = try await harness.system.sessions.reauthenticate(unverified, password: Harness.defaultPassword, pin: Harness.goodPIN, client: client)
        }
    }
}
