import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct SignInTests {
    @Test func anUnverifiedAccountSignsInToAVerifyYourIdentitySessionOnly() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.signUp("una@example.com", client: client)
        let token = try await harness.passwordStep("una@example.com", client: client)
        guard case .signedIn(let grant) = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("no session"); return
        }
        #expect(grant.session.access == .identityVerificationPending)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        await #expect(throws: SignInError.accessDenied) {
            _ = try await harness.system.account.generateRecoveryCodes(session, client: client)
        }
    }

    @Test func theFirstPINFollowsThePolicyWithThePersonsFactsAndEveryReasonIsGiven() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.signUp("pia@example.com", client: client)
        try await harness.verifyIdentity("pia@example.com")
        let token = try await harness.passwordStep("pia@example.com", client: client)
        guard case .needNewPIN(let pinToken) = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("no new-PIN step"); return
        }
        let facts = try PINContext(birthDate: try .init(iso8601: "1990-04-12"), ssnLastFour: "6789", phoneNumber: "+1 202 555 0143")
        for (pin, personal) in [("1234", nil), ("0412", PINPolicy.Violation.matchesBirthDate), ("6789", .matchesSSN), ("0143", .matchesPhoneNumber)] {
            let answer = try await harness.system.signIn.setFirstPIN(pinToken, pin: pin, client: client)
            // Every reason the policy gives with the person's facts, the personal one among them.
            #expect(answer == .pinRefused(PINPolicy.standard.evaluate(pin, context: facts)))
            if let personal { #expect(PINPolicy.standard.evaluate(pin, context: facts).contains(personal)) }
        }
        let answer = try await harness.system.signIn.setFirstPIN(pinToken, pin: Harness.goodPIN, client: client)
        guard case .needSecondFactor(_, let choices) = answer else { Issue.record("answered \(answer)"); return }
        #expect(choices == [.textMessage(maskedPhone: "•••-•••-0143"), .email(maskedEmail: "p•••@example.com")])
        let account = try #require(try await harness.store.account(emailKey: "pia@example.com"))
        #expect(account.state == .active)
        #expect(account.pinHash != nil)
    }

    @Test func aNewDeviceNeedsASecondFactorAndARememberedOneOnAKnownNetworkDoesNot() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let first = try await harness.activeAccount("rey@example.com", client: client, rememberDevice: true)
        let device = try #require(first.rememberedDevice)
        let delivered = try await harness.deliver()
        #expect(delivered.contains { if case .newDeviceSignIn = $0.notice { true } else { false } }, "the first sign-in was from a new device")

        // The remembered device on the same network: password and PIN only.
        let remembered = try Harness.client(device: device.token)
        guard case .signedIn(let grant) = try await harness.signIn("rey@example.com", client: remembered) else {
            Issue.record("a remembered device was asked for more"); return
        }
        #expect(grant.rememberedDevice == nil)

        // The same device from a new network (another /16): a second factor again.
        let travelling = try Harness.client("203.0.113.9", device: device.token)
        guard case .needSecondFactor = try await harness.signIn("rey@example.com", client: travelling) else {
            Issue.record("a new network was not asked for a second factor"); return
        }
        // A browser without the device token on the known network: a second factor.
        guard case .needSecondFactor = try await harness.signIn("rey@example.com", client: try Harness.client(browser: "browser-0000000077")) else {
            Issue.record("a new device was not asked for a second factor"); return
        }
        // After "forget all devices", the token no longer skips it.
        let session = try await harness.system.sessions.authenticate(grant.token, client: remembered)
        try await harness.system.sessions.forgetAllDevices(session, client: remembered)
        guard case .needSecondFactor = try await harness.signIn("rey@example.com", client: remembered) else {
            Issue.record("a forgotten device still skipped the second factor"); return
        }
    }

    @Test func aRememberedDeviceLapsesAfterThirtyDays() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("ray@example.com", client: client)
        let device = try #require(grant.rememberedDevice)
        harness.clock.advance(by: .seconds(30 * 86_400 + 1))
        guard case .needSecondFactor = try await harness.signIn("ray@example.com", client: try Harness.client(device: device.token)) else {
            Issue.record("a lapsed device skipped the second factor"); return
        }
    }

    @Test func wrongPINsLockTheAccountWithOneNoticePerLockAndTheAnswerSaysWhen() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.activeAccount("lou@example.com", client: client)
        try await harness.deliver()
        let token = try await harness.passwordStep("lou@example.com", client: client)
        guard case .needPIN(let pinToken) = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("no PIN step"); return
        }
        var answers: [SignInAnswer] = []
        for _ in 0..<8 { answers.append(try await harness.system.signIn.submitPIN(pinToken, pin: "000000", client: client)) }
        #expect(answers.prefix(5).allSatisfy { $0 == .wrongPIN })
        #expect(answers.suffix(3).allSatisfy { $0 == .locked(retryAfter: .seconds(60)) })
        let notices = try await harness.deliver().filter { if case .accountLocked = $0.notice { true } else { false } }
        #expect(notices.count == 2, "one lock: one notice to the email and one text to the phone")
        #expect(notices.allSatisfy { $0.rendered.body.contains("https://deadbolt.example/not-me") || $0.rendered.shortText.contains("not-me") })
        harness.clock.advance(by: .seconds(61))
        #expect(try await harness.system.signIn.submitPIN(pinToken, pin: "000000", client: client) == .wrongPIN)
        #expect(try await harness.system.signIn.submitPIN(pinToken, pin: "000000", client: client) == .locked(retryAfter: .seconds(120)))
        #expect(try await harness.deliver().filter { if case .accountLocked = $0.notice { true } else { false } }.count == 2, "the second lock's notice")
        let account = try #require(try await harness.store.account(emailKey: "lou@example.com"))
        let kinds = try await harness.store.activity(account: account.id, after: nil, limit: 100).entries.map(\.kind)
        #expect(kinds.filter { $0 == .pinFailed }.count == 6)
        #expect(kinds.filter { $0 == .locked }.count == 2)
    }

    @Test func aHardLockIsLiftedOnlyByForgotPINOrAnOperator() async throws {
        let lockout = LockoutSchedule(threshold: 3, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 6, failureMemory: .seconds(86_400))
        let harness = try await Harness(configuration: Harness.configuration {
            $0.pinLockout = LockoutPolicy.Configuration(purpose: "pin", account: lockout, accountSource: lockout)
        })
        let client = try Harness.client()
        try await harness.activeAccount("hal@example.com", client: client)
        let token = try await harness.passwordStep("hal@example.com", client: client)
        guard case .needPIN(let pinToken) = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("no PIN step"); return
        }
        var last = SignInAnswer.wrongPIN
        for _ in 0..<10 {
            last = try await harness.system.signIn.submitPIN(pinToken, pin: "000000", client: client)
            harness.clock.advance(by: .seconds(2))
        }
        #expect(last == .hardLocked)
        #expect(try await harness.system.signIn.submitPIN(pinToken, pin: Harness.goodPIN, client: client) == .hardLocked, "the right PIN too")
        harness.clock.advance(by: .seconds(86_400 * 2))
        let later = try await harness.passwordStep("hal@example.com", client: client)
        guard case .needPIN(let laterPIN) = try await harness.system.signIn.submitPassword(later, password: Harness.defaultPassword, client: client) else {
            Issue.record("no PIN step"); return
        }
        #expect(try await harness.system.signIn.submitPIN(laterPIN, pin: Harness.goodPIN, client: client) == .hardLocked, "time does not lift it")
        let status = try #require(try await harness.system.administration.status(email: try EmailAddress("hal@example.com")))
        #expect(status.pinLock.hardLocked)
        try await harness.system.administration.unlock(email: try EmailAddress("hal@example.com"))
        guard case .needSecondFactor = try await harness.signIn("hal@example.com", client: try Harness.client(browser: "browser-0000000099")) else {
            Issue.record("the operator's unlock did not let the right PIN in"); return
        }
    }

    @Test func stoppingAfterThePasswordSendsSomeoneKnowsYourPasswordAfterFiveMinutes() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.activeAccount("kim@example.com", client: client)
        try await harness.deliver()
        harness.clock.advance(by: .seconds(61))
        // A completed sign-in cancels its notice.
        _ = try await harness.finishWithEmailCode(try await harness.signIn("kim@example.com", client: client), email: "kim@example.com", client: client, rememberDevice: false)
        harness.clock.advance(by: .seconds(301))
        #expect(try await harness.deliver().allSatisfy { if case .passwordMayBeKnown = $0.notice { false } else { true } })
        // One that stops at the PIN does not.
        let token = try await harness.passwordStep("kim@example.com", client: client)
        _ = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        harness.clock.advance(by: .seconds(299))
        #expect(try await harness.deliver().isEmpty, "not before five minutes")
        harness.clock.advance(by: .seconds(2))
        let notices = try await harness.deliver()
        #expect(notices.count == 1)
        #expect(notices.first.map { if case .passwordMayBeKnown = $0.notice { true } else { false } } == true)
        #expect(notices.first?.rendered.body.contains("https://deadbolt.example/not-me") == true)
    }

    @Test func everySecondFactorSignsIn() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("ada@example.com", client: client, rememberDevice: false)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        // Enroll an authenticator and make recovery codes while the sign-in is fresh.
        let enrollment = try await harness.system.account.beginAuthenticatorEnrollment(session, client: client)
        let totp = try TOTP(secret: enrollment.uri.secret)
        let code = try totp.code(at: harness.clock.unixSeconds())
        guard case .authenticatorAdded = try await harness.system.account.confirmAuthenticator(session, token: enrollment.token, code: code, label: "Phone", client: client) else {
            Issue.record("the authenticator was not added"); return
        }
        let codes = try await harness.system.account.generateRecoveryCodes(session, client: client)
        #expect(codes.count == 10)

        let newDevice = try Harness.client(browser: "browser-0000000042")
        guard case .needSecondFactor(let token, let choices) = try await harness.signIn("ada@example.com", client: newDevice) else {
            Issue.record("no second factor"); return
        }
        #expect(choices == [.textMessage(maskedPhone: "•••-•••-0143"), .email(maskedEmail: "a•••@example.com"), .authenticatorApp, .recoveryCode])
        // The code already used at enrollment is a replay.
        #expect(try await harness.system.signIn.submitSecondFactor(token, proof: .authenticatorCode(code), rememberDevice: false, client: newDevice) == .wrongCode)
        harness.clock.advance(by: .seconds(30))
        let next = try totp.code(at: harness.clock.unixSeconds())
        guard case .signedIn = try await harness.system.signIn.submitSecondFactor(token, proof: .authenticatorCode(next), rememberDevice: false, client: newDevice) else {
            Issue.record("the authenticator code was refused"); return
        }

        // A recovery code, once.
        guard case .needSecondFactor(let token2, _) = try await harness.signIn("ada@example.com", client: newDevice) else { Issue.record("no second factor"); return }
        guard case .signedIn = try await harness.system.signIn.submitSecondFactor(token2, proof: .recoveryCode(codes[0].lowercased()), rememberDevice: false, client: newDevice) else {
            Issue.record("the recovery code was refused"); return
        }
        guard case .needSecondFactor(let token3, _) = try await harness.signIn("ada@example.com", client: newDevice) else { Issue.record("no second factor"); return }
        #expect(try await harness.system.signIn.submitSecondFactor(token3, proof: .recoveryCode(codes[0]), rememberDevice: false, client: newDevice) == .wrongCode)
        #expect(try await harness.store.recoveryCodeDigests(account: grant.session.account).count == 9)
        let used = try await harness.deliver().filter { if case .recoveryCodeUsed(let remaining, _) = $0.notice { remaining == 9 } else { false } }
        #expect(used.count == 2, "email and text")

        // A text message, after the resend cooldown of the sign-in code.
        harness.clock.advance(by: .seconds(61))
        guard case .codeSent(let smsToken, let destination) = try await harness.system.signIn.sendSecondFactorCode(token3, via: .phone, client: newDevice) else {
            Issue.record("no text was sent"); return
        }
        #expect(destination == .phone(masked: "•••-•••-0143"))
        let sms = try await harness.lastCode(to: "+1 202 555 0143")
        guard case .signedIn = try await harness.system.signIn.submitSecondFactor(smsToken, proof: .sentCode(sms), rememberDevice: false, client: newDevice) else {
            Issue.record("the texted code was refused"); return
        }
    }

    @Test func aSessionHasIdleAndAbsoluteLimitsAndSignOutEndsIt() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("sid@example.com", client: client)
        _ = try await harness.system.sessions.authenticate(grant.token, client: client)
        harness.clock.advance(by: .seconds(29 * 60))
        _ = try await harness.system.sessions.authenticate(grant.token, client: client)
        harness.clock.advance(by: .seconds(31 * 60))
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }

        guard case .signedIn(let second) = try await harness.signIn("sid@example.com", client: try Harness.client(device: grant.rememberedDevice?.token)) else {
            Issue.record("no session"); return
        }
        for _ in 0..<26 {
            harness.clock.advance(by: .seconds(29 * 60))
            _ = try? await harness.system.sessions.authenticate(second.token, client: client)
        }
        await #expect(throws: SignInError.notSignedIn, "past 12 hours, however active") {
            _ = try await harness.system.sessions.authenticate(second.token, client: client)
        }
        guard case .signedIn(let third) = try await harness.signIn("sid@example.com", client: try Harness.client(device: grant.rememberedDevice?.token)) else {
            Issue.record("no session"); return
        }
        let session = try await harness.system.sessions.authenticate(third.token, client: client)
        try await harness.system.sessions.signOut(session, client: client)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(third.token, client: client) }
    }
}
