import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct RecoveryTests {
    static let phone = "+1 202 555 0143"

    /// Runs Forgot PIN up to the new-PIN step, with the code sent to `channel`.
    static func toNewPIN(_ harness: Harness, _ email: String, client: ClientContext, via channel: CodeChannel = .email, origin: RecoveryOrigin = .forgotten) async throws -> StepToken {
        guard case .chooseChannel(let token, let choices) = try await harness.system.forgotPIN.start(email: email, client: client, origin: origin) else {
            throw HarnessError("no channel choice")
        }
        #expect(choices == [.email(maskedEmail: String(email.prefix(1)) + "•••@example.com"), .phone(maskedPhone: "•••-•••-0143")])
        guard case .codeSent(let codeToken, _) = try await harness.system.forgotPIN.sendCode(token, via: channel, client: client) else {
            throw HarnessError("no code sent")
        }
        let code = try await harness.lastCode(to: channel == .email ? email : phone)
        #expect(try await harness.system.forgotPIN.submitCode(codeToken, code: "999999" == code ? "888888" : "999999", client: client) == .wrongCode)
        guard case .needPassword(let passwordToken) = try await harness.system.forgotPIN.submitCode(codeToken, code: code, client: client) else {
            throw HarnessError("no password step")
        }
        #expect(try await harness.system.forgotPIN.submitPassword(passwordToken, password: "not my password", client: client) == .wrongPassword)
        guard case .needNewPIN(let pinToken) = try await harness.system.forgotPIN.submitPassword(passwordToken, password: Harness.defaultPassword, client: client)
        else { throw HarnessError("no new-PIN step") }
        return pinToken
    }

    @Test func forgotPINSetsANewPINEndsEverySessionForgetsDevicesAndTellsEveryChannel() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("fay@example.com", client: client)
        try await harness.deliver()
        harness.clock.advance(by: .seconds(61))
        let pinToken = try await Self.toNewPIN(harness, "fay@example.com", client: client, via: .phone)
        #expect(try await harness.system.forgotPIN.setNewPIN(pinToken, pin: Harness.goodPIN, client: client) == .pinRefused([.matchesPreviousPIN]))
        #expect(try await harness.system.forgotPIN.setNewPIN(pinToken, pin: "9876", client: client) == .pinRefused(PINPolicy.standard.evaluate("9876")))
        #expect(try await harness.system.forgotPIN.setNewPIN(pinToken, pin: "582947", client: client) == .completed)
        await #expect(throws: SignInError.notSignedIn, "no session survives a reset") {
            _ = try await harness.system.sessions.authenticate(grant.token, client: client)
        }
        let notices = try await harness.deliver().filter { if case .pinChanged = $0.notice { true } else { false } }
        #expect(Set(notices.map(\.channel)) == [.email, .sms])
        // The remembered device was forgotten: a second factor again, with the new PIN.
        guard case .needSecondFactor = try await harness.signIn("fay@example.com", client: try Harness.client(device: grant.rememberedDevice?.token), pin: "582947") else {
            Issue.record("the new PIN or the forgotten device did not apply"); return
        }
    }

    @Test func forgotPINLiftsAHardLock() async throws {
        let lockout = LockoutSchedule(threshold: 2, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 3, failureMemory: .seconds(86_400))
        let harness = try await Harness(configuration: Harness.configuration {
            $0.pinLockout = LockoutPolicy.Configuration(purpose: "pin", account: lockout, accountSource: lockout)
        })
        let client = try Harness.client()
        try await harness.activeAccount("hugo@example.com", client: client)
        harness.clock.advance(by: .seconds(61))
        for _ in 0..<5 {
            _ = try await harness.signIn("hugo@example.com", client: client, pin: "000000")
            harness.clock.advance(by: .seconds(2))
        }
        #expect(try await harness.signIn("hugo@example.com", client: client) == .hardLocked)
        let pinToken = try await Self.toNewPIN(harness, "hugo@example.com", client: client)
        #expect(try await harness.system.forgotPIN.setNewPIN(pinToken, pin: "582947", client: client) == .completed)
        guard case .needSecondFactor = try await harness.signIn("hugo@example.com", client: client, pin: "582947") else {
            Issue.record("still locked after Forgot PIN"); return
        }
    }

    @Test func forgotPasswordTakesThePINAsSecondProof() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.activeAccount("gil@example.com", client: client)
        harness.clock.advance(by: .seconds(61))
        guard case .chooseChannel(let token, _) = try await harness.system.forgotPassword.start(email: "gil@example.com", client: client),
            case .codeSent(let codeToken, _) = try await harness.system.forgotPassword.sendCode(token, via: .email, client: client)
        else { Issue.record("no code"); return }
        let code = try await harness.lastCode(to: "gil@example.com")
        guard case .needPIN(let pinToken) = try await harness.system.forgotPassword.submitCode(codeToken, code: code, client: client) else {
            Issue.record("no PIN step"); return
        }
        await #expect(throws: SignInError.stepInvalid, "Forgot PIN's step is not Forgot password's") {
            _ = try await harness.system.forgotPIN.submitPassword(pinToken, password: Harness.defaultPassword, client: client)
        }
        #expect(try await harness.system.forgotPassword.submitPIN(pinToken, pin: "000000", client: client) == .wrongPIN)
        guard case .needNewPassword(let newToken) = try await harness.system.forgotPassword.submitPIN(pinToken, pin: Harness.goodPIN, client: client) else {
            Issue.record("no new-password step"); return
        }
        #expect(try await harness.system.forgotPassword.setNewPassword(newToken, password: "password", client: client) == .passwordRefused([.tooShort(minimum: 12)]))
        #expect(try await harness.system.forgotPassword.setNewPassword(newToken, password: "a different strong passphrase", client: client) == .completed)
        let start = try await harness.passwordStep("gil@example.com", client: client)
        #expect(try await harness.system.signIn.submitPassword(start, password: Harness.defaultPassword, client: client) == .wrongPassword)
        guard case .needPIN = try await harness.system.signIn.submitPassword(start, password: "a different strong passphrase", client: client) else {
            Issue.record("the new password was refused"); return
        }
    }

    @Test func thisWasntMeEndsEverySessionAsSoonAsTheCodeIsGiven() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("ned@example.com", client: client)
        harness.clock.advance(by: .seconds(61))
        guard case .chooseChannel(let token, _) = try await harness.system.forgotPIN.start(email: "ned@example.com", client: client, origin: .notMe),
            case .codeSent(let codeToken, _) = try await harness.system.forgotPIN.sendCode(token, via: .email, client: client)
        else { Issue.record("no code"); return }
        _ = try await harness.system.sessions.authenticate(grant.token, client: client)
        let code = try await harness.lastCode(to: "ned@example.com")
        guard case .needPassword = try await harness.system.forgotPIN.submitCode(codeToken, code: code, client: client) else {
            Issue.record("no password step"); return
        }
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }
        let account = try #require(try await harness.store.account(emailKey: "ned@example.com"))
        #expect(try await harness.store.rememberedDevices(account: account.id).isEmpty)
        #expect(try await harness.deliver().contains { if case .signedOutEverywhere = $0.notice { true } else { false } })
    }

    @Test func losingBothGoesThroughIdentityVerificationWhichVoidsTheOldPINAndPassword() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("ivy@example.com", client: client)
        let outcome = try await harness.system.identity.record(
            try IdentityProof(
                method: .operatorApproval, evidenceReference: "case-2", approvedBy: "operator",
                facts: try PersonalFacts(birthDate: "1990-04-12", ssnLastFour: "6789", phoneNumber: nil)),
            email: try EmailAddress("ivy@example.com"))
        let account = try #require(try await harness.store.account(emailKey: "ivy@example.com"))
        #expect(account.state == .credentialsVoided)
        #expect(account.passwordHash == nil && account.pinHash == nil)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }
        let start = try await harness.passwordStep("ivy@example.com", client: client)
        #expect(try await harness.system.signIn.submitPassword(start, password: Harness.defaultPassword, client: client) == .wrongPassword)
        // Forgot password, with no PIN to prove: the emailed code and the operator's code, then a new PIN at sign-in.
        harness.clock.advance(by: .seconds(61))
        guard case .chooseChannel(let token, _) = try await harness.system.forgotPassword.start(email: "ivy@example.com", client: client),
            case .codeSent(let codeToken, _) = try await harness.system.forgotPassword.sendCode(token, via: .email, client: client)
        else { Issue.record("no code"); return }
        let code = try await harness.lastCode(to: "ivy@example.com")
        guard case .needReenrollmentCode(let reenrollmentToken) = try await harness.system.forgotPassword.submitCode(codeToken, code: code, client: client),
            let reenrollment = outcome.reenrollmentCode,
            case .needNewPassword(let newToken) = try await harness.system.forgotPassword.submitReenrollmentCode(
                reenrollmentToken, code: reenrollment.code, client: client)
        else {
            Issue.record("no new-password step"); return
        }
        #expect(try await harness.system.forgotPassword.setNewPassword(newToken, password: "brand new passphrase here", client: client) == .completed)
        let again = try await harness.passwordStep("ivy@example.com", client: client)
        guard case .needNewPIN = try await harness.system.signIn.submitPassword(again, password: "brand new passphrase here", client: client) else {
            Issue.record("no new PIN after re-verification"); return
        }
    }
}
