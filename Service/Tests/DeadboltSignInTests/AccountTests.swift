import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct AccountTests {
    @Test func sensitiveChangesNeedASignInWithinFifteenMinutes() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("rae@example.com", client: client)
        harness.clock.advance(by: .seconds(14 * 60))
        var session = try await harness.system.sessions.authenticate(grant.token, client: client)
        #expect(try await harness.system.account.generateRecoveryCodes(session, client: client).count == 10)
        harness.clock.advance(by: .seconds(2 * 60))
        session = try await harness.system.sessions.authenticate(grant.token, client: client)
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.generateRecoveryCodes(session, client: client) }
        await #expect(throws: SignInError.reauthenticationRequired) { _ = try await harness.system.account.changePIN(session, newPIN: "582947", client: client) }
        await #expect(throws: SignInError.reauthenticationRequired) { try await harness.system.account.delete(session, client: client) }
        // Reading is not sensitive.
        #expect(try await harness.system.account.overview(session).recoveryCodesLeft == 10)
    }

    @Test func regeneratingRecoveryCodesVoidsTheOldSet() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("rod@example.com", client: client, rememberDevice: false)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        let old = try await harness.system.account.generateRecoveryCodes(session, client: client)
        let new = try await harness.system.account.generateRecoveryCodes(session, client: client)
        #expect(Set(old).isDisjoint(with: new))
        let digests = try await harness.store.recoveryCodeDigests(account: session.account)
        #expect(digests.count == 10)
        #expect(!digests.contains { digest in new.contains { digest.contains($0) } }, "stored as digests only")
        guard case .needSecondFactor(let token, _) = try await harness.signIn("rod@example.com", client: try Harness.client(browser: "browser-0000000055")) else {
            Issue.record("no second factor"); return
        }
        #expect(try await harness.system.signIn.submitSecondFactor(token, proof: .recoveryCode(old[0]), rememberDevice: false, client: try Harness.client(browser: "browser-0000000055")) == .wrongCode)
    }

    @Test func anAuthenticatorIsConfirmedByItsFirstCodeAndCanBeRemoved() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("tom@example.com", client: client)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        let enrollment = try await harness.system.account.beginAuthenticatorEnrollment(session, client: client)
        #expect(enrollment.uri.issuer == "Deadbolt")
        #expect(enrollment.uri.accountName == "tom@example.com")
        #expect(try await harness.system.account.confirmAuthenticator(session, token: enrollment.token, code: "000000", label: "", client: client) == .wrongCode)
        #expect(try await harness.store.authenticators(account: session.account).isEmpty, "not added before a right code")
        let code = try TOTP(secret: enrollment.uri.secret).code(at: harness.clock.unixSeconds())
        guard case .authenticatorAdded(let id) = try await harness.system.account.confirmAuthenticator(session, token: enrollment.token, code: code, label: "", client: client) else {
            Issue.record("not added"); return
        }
        let stored = try #require(try await harness.store.authenticators(account: session.account).first)
        #expect(stored.label == "Authenticator app")
        #expect(stored.sealedSecret.hasPrefix("v1.test."), "sealed at rest")
        #expect(try await harness.system.account.overview(session).authenticators.map(\.id) == [id])
        try await harness.system.account.removeAuthenticator(session, id: id, client: client)
        #expect(try await harness.store.authenticators(account: session.account).isEmpty)
        await #expect(throws: SignInError.notFound) { try await harness.system.account.removeAuthenticator(session, id: id, client: client) }
        let notices = try await harness.deliver().map(\.notice)
        #expect(notices.contains { if case .authenticatorAdded = $0 { true } else { false } })
        #expect(notices.contains { if case .authenticatorRemoved = $0 { true } else { false } })
    }

    @Test func aPhoneChangeIsConfirmedByACodeToTheNewNumberAndTheOldOneIsTold() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("val@example.com", client: client)
        try await harness.deliver()
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        await #expect(throws: SignInError.self) { _ = try await harness.system.account.beginPhoneChange(session, phoneNumber: "call me maybe", client: client) }
        guard case .codeSent(let token, let destination) = try await harness.system.account.beginPhoneChange(session, phoneNumber: "+44 20 7946 0018", client: client) else {
            Issue.record("no code"); return
        }
        #expect(destination == .phone(masked: "•••-•••-0018"))
        let code = try await harness.lastCode(to: "+44 20 7946 0018")
        #expect(try await harness.system.account.confirmPhoneChange(session, token: token, code: "000000" == code ? "111111" : "000000", client: client) == .wrongCode)
        #expect(try await harness.system.account.confirmPhoneChange(session, token: token, code: code, client: client) == .phoneChanged)
        let account = try #require(try await harness.store.account(id: session.account))
        #expect(account.phoneLastFour == "0018")
        #expect(account.sealedPhone?.contains("7946") == false)
        let told = try await harness.deliver().filter { if case .phoneChanged = $0.notice { true } else { false } }
        #expect(Set(told.map(\.destination)) == ["val@example.com", "+1 202 555 0143"], "the email and the old number")
    }

    @Test func activityIsNewestFirstPaginatedAndThisWasntMeEndsEverySession() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("wes@example.com", client: client)
        for _ in 0..<3 {
            harness.clock.advance(by: .seconds(1))
            _ = try await harness.signIn("wes@example.com", client: client, pin: "000000")
        }
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        let first = try await harness.system.account.activity(session, limit: 2)
        #expect(first.entries.map(\.kind) == [.pinFailed, .pinFailed])
        let second = try await harness.system.account.activity(session, after: first.next, limit: 100)
        let all = first.entries + second.entries
        #expect(all == all.sorted { $0.at != $1.at ? $0.at > $1.at : $0.id.rawValue > $1.id.rawValue })
        #expect(all.contains { $0.kind == .accountCreated })
        #expect(all.contains { $0.kind == .signedInNewDevice })
        #expect(all.first?.network?.text == "192.0.0.0/16")
        await #expect(throws: SignInError.invalidInput(field: "limit", reason: "must be 1 to 100")) {
            _ = try await harness.system.account.activity(session, limit: 0)
        }
        guard case .chooseChannel = try await harness.system.account.reportNotMe(session, client: client) else { Issue.record("Forgot PIN did not start"); return }
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }
    }

    @Test func sessionsAndDevicesAreListedAndEndedOneByOneOrAll() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("xia@example.com", client: client)
        guard case .signedIn(let other) = try await harness.signIn("xia@example.com", client: try Harness.client(device: grant.rememberedDevice?.token)) else {
            Issue.record("no second session"); return
        }
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        #expect(Set(try await harness.system.sessions.list(session).map(\.id)) == [grant.session.id, other.session.id])
        try await harness.system.sessions.end(session, id: other.session.id, client: client)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(other.token, client: client) }
        await #expect(throws: SignInError.notFound) { try await harness.system.sessions.end(session, id: other.session.id, client: client) }
        let devices = try await harness.system.sessions.devices(session)
        #expect(devices.map(\.id) == [grant.rememberedDevice?.id].compactMap { $0 })
        try await harness.system.sessions.forgetDevice(session, id: devices[0].id, client: client)
        #expect(try await harness.system.sessions.devices(session).isEmpty)
        try await harness.system.sessions.signOutEverywhere(session, client: client)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }
    }

    @Test func changingThePINEndsEveryOtherSession() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("yul@example.com", client: client)
        guard case .signedIn(let other) = try await harness.signIn("yul@example.com", client: try Harness.client(device: grant.rememberedDevice?.token)) else {
            Issue.record("no second session"); return
        }
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        #expect(try await harness.system.account.changePIN(session, newPIN: Harness.goodPIN, client: client) == .pinRefused([.matchesPreviousPIN]))
        #expect(try await harness.system.account.changePIN(session, newPIN: "582947", client: client) == .changed)
        _ = try await harness.system.sessions.authenticate(grant.token, client: client)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(other.token, client: client) }
        #expect(try await harness.system.account.changePassword(session, newPassword: "yul@example.com!!", client: client) == .passwordRefused([.containsEmail]))
        #expect(try await harness.system.account.changePassword(session, newPassword: "an entirely new passphrase", client: client) == .changed)
    }

    @Test func deletingTheAccountRemovesItEverywhereAndSendsALastNotice() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("zed@example.com", client: client)
        try await harness.deliver()
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        try await harness.system.account.delete(session, client: client)
        #expect(try await harness.store.account(emailKey: "zed@example.com") == nil)
        await #expect(throws: SignInError.notSignedIn) { _ = try await harness.system.sessions.authenticate(grant.token, client: client) }
        let last = try await harness.deliver()
        #expect(Set(last.map(\.destination)) == ["zed@example.com", "+1 202 555 0143"])
        #expect(last.allSatisfy { if case .accountDeleted = $0.notice { true } else { false } })
        // The address can sign up again.
        harness.clock.advance(by: .seconds(61))
        try await harness.signUp("zed@example.com")
    }
}
