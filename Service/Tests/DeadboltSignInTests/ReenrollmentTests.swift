import Deadbolt
import Foundation
import Testing

@testable import DeadboltSignIn

/// Lost both PIN and password: the operator's re-verification returns a one-time re-enrollment code, and Forgot
/// password asks for it after the emailed code, so the mailbox alone cannot choose the new password.
@Suite struct ReenrollmentTests {
    static let newPassword = "brand new passphrase here"

    /// An active account verified again by the operator; the code from the outcome.
    static func reverified(_ harness: Harness, _ email: String, client: ClientContext) async throws -> ReenrollmentCode {
        try await harness.activeAccount(email, client: client)
        return try await reverify(harness, email)
    }

    static func reverify(_ harness: Harness, _ email: String) async throws -> ReenrollmentCode {
        let outcome = try await harness.system.identity.record(
            try IdentityProof(
                method: .operatorApproval, evidenceReference: "case-2", approvedBy: "operator",
                facts: try PersonalFacts(birthDate: "1990-04-12", ssnLastFour: "6789", phoneNumber: "+1 202 555 0143")),
            email: try EmailAddress(email))
        guard case .reverified(let account, let code) = outcome else { throw HarnessError("not a re-verification: \(outcome)") }
        #expect(outcome.account == account && outcome.reenrollmentCode == code)
        return code
    }

    /// Forgot password up to the step after the emailed code.
    static func afterEmailedCode(_ harness: Harness, _ email: String, client: ClientContext) async throws -> RecoveryAnswer {
        harness.clock.advance(by: .seconds(61))
        guard case .chooseChannel(let token, _) = try await harness.system.forgotPassword.start(email: email, client: client),
            case .codeSent(let codeToken, _) = try await harness.system.forgotPassword.sendCode(token, via: .email, client: client)
        else { throw HarnessError("no code") }
        let code = try await harness.lastCode(to: email)
        return try await harness.system.forgotPassword.submitCode(codeToken, code: code, client: client)
    }

    static func reenrollmentStep(_ harness: Harness, _ email: String, client: ClientContext) async throws -> StepToken {
        let answer = try await afterEmailedCode(harness, email, client: client)
        guard case .needReenrollmentCode(let token) = answer else { throw HarnessError("no re-enrollment step: \(answer)") }
        return token
    }

    @Test func theOperatorsCodeAndTheEmailedCodeTogetherSetTheNewPassword() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let code = try await Self.reverified(harness, "ann@example.com", client: client)
        #expect(code.code.wholeMatch(of: /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}/) != nil)
        #expect(code.expiresAt == Timestamp(harness.clock).adding(.seconds(24 * 3600)))
        #expect(!"\(code)".contains(code.code) && !String(reflecting: code).contains(code.code), "prints redacted")
        // Stored only as its keyed digest.
        let account = try #require(try await harness.store.account(emailKey: "ann@example.com"))
        let digest = try #require(try harness.system.context.reenrollmentDigest(code.code, account: account.id))
        let row = try #require(try await harness.store.step(digest: digest))
        #expect(row.flowKind == .reenrollment && row.account == account.id && row.expiresAt == code.expiresAt)
        #expect(!row.payload.contains(code.code) && !row.payload.contains(code.code.replacingOccurrences(of: "-", with: "")))
        let notices = try await harness.deliver()
        #expect(!notices.contains { "\($0.notice)".contains(code.code) }, "never mailed")

        let token = try await Self.reenrollmentStep(harness, "ann@example.com", client: client)
        let typed = code.code.lowercased().replacingOccurrences(of: "-", with: " ")
        guard case .needNewPassword(let newToken) = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: typed, client: client) else {
            Issue.record("the code was refused"); return
        }
        #expect(try await harness.system.forgotPassword.setNewPassword(newToken, password: Self.newPassword, client: client) == .completed)
        #expect(try await harness.store.step(digest: digest)?.consumedAt != nil, "used up with the new password")
        #expect(try await harness.store.account(emailKey: "ann@example.com")?.state == .needsPIN)
        let start = try await harness.passwordStep("ann@example.com", client: client)
        guard case .needNewPIN = try await harness.system.signIn.submitPassword(start, password: Self.newPassword, client: client) else {
            Issue.record("no new PIN after re-enrollment"); return
        }
    }

    @Test func theMailboxAloneReachesNoNewPassword() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        _ = try await Self.reverified(harness, "bob@example.com", client: client)
        let token = try await Self.reenrollmentStep(harness, "bob@example.com", client: client)
        await #expect(throws: SignInError.stepInvalid, "the code step is not the new-password step") {
            _ = try await harness.system.forgotPassword.setNewPassword(token, password: Self.newPassword, client: client)
        }
        await #expect(throws: SignInError.stepInvalid, "nor the PIN step") {
            _ = try await harness.system.forgotPassword.submitPIN(token, pin: Harness.goodPIN, client: client)
        }
        await #expect(throws: SignInError.stepInvalid, "Forgot PIN has no such step") {
            _ = try await harness.system.forgotPIN.submitReenrollmentCode(token, code: "AAAA-AAAA-AAAAA", client: client)
        }
        await #expect(throws: SignInError.stepInvalid, "from another browser") {
            _ = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: "AAAA-AAAA-AAAAA", client: try Harness.client(browser: "browser-0000000042"))
        }
        #expect(try await harness.store.account(emailKey: "bob@example.com")?.passwordHash == nil)
    }

    @Test func wrongMalformedAndOversizedCodesAreRefusedAndTheStepStaysUsable() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let code = try await Self.reverified(harness, "cat@example.com", client: client)
        let token = try await Self.reenrollmentStep(harness, "cat@example.com", client: client)
        let wrong = code.code.hasPrefix("2") ? "3" + code.code.dropFirst() : "2" + code.code.dropFirst()
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: String(wrong), client: client) == .wrongCode)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: "hello", client: client) == .wrongCode)
        await #expect(throws: SignInError.invalidInput(field: "code", reason: "must be 1 to 64 bytes")) {
            _ = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: String(repeating: "A", count: 65), client: client)
        }
        await #expect(throws: SignInError.invalidInput(field: "code", reason: "must be 1 to 64 bytes")) {
            _ = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: "", client: client)
        }
        let account = try #require(try await harness.store.account(emailKey: "cat@example.com"))
        #expect(try await harness.system.account(ofEmail: "cat@example.com").passwordLock.failures == 0, "other budgets untouched")
        #expect(try await harness.store.activity(account: account.id, after: nil, limit: 2).entries.map(\.kind) == [.secondFactorFailed, .secondFactorFailed])
        guard case .needNewPassword = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: code.code, client: client) else {
            Issue.record("the right code was refused after wrong ones"); return
        }
    }

    @Test func wrongCodesAreLimitedAndTenKillTheCode() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let code = try await Self.reverified(harness, "dan@example.com", client: client)
        try await harness.deliver()
        let token = try await Self.reenrollmentStep(harness, "dan@example.com", client: client)
        for _ in 0..<3 {
            #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: "2222-2222-22222", client: client) == .wrongCode)
        }
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: code.code, client: client) == .locked(retryAfter: .seconds(60)),
            "3 free, then a minute: the right code is not looked at while locked")
        let locked = try await harness.deliver().filter { if case .accountLocked = $0.notice { true } else { false } }
        #expect(Set(locked.map(\.destination)) == ["dan@example.com", "+1 202 555 0143"], "the person hears of the guessing")
        // Past the default's waits (60 s doubling) from other addresses too: the account's own count reaches 10.
        var answers: [RecoveryAnswer] = []
        var wait = Duration.seconds(60)
        for attempt in 0..<8 {
            harness.clock.advance(by: wait)
            wait = min(wait * 2, .seconds(3600))
            let other = try Harness.client("203.0.113.\(attempt + 1)", browser: "browser-00000001\(attempt)0")
            let step = try await Self.reenrollmentStep(harness, "dan@example.com", client: other)
            answers.append(try await harness.system.forgotPassword.submitReenrollmentCode(step, code: "2222-2222-22222", client: other))
        }
        #expect(answers.prefix(7).allSatisfy { $0 == .wrongCode } && answers.last == .hardLocked, "\(answers)")
        harness.clock.advance(by: .seconds(7200))
        let step = try await Self.reenrollmentStep(harness, "dan@example.com", client: client)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(step, code: code.code, client: client) == .hardLocked)
        // The operator verifies the person again: a new code, new budgets.
        let fresh = try await Self.reverify(harness, "dan@example.com")
        let again = try await Self.reenrollmentStep(harness, "dan@example.com", client: client)
        guard case .needNewPassword = try await harness.system.forgotPassword.submitReenrollmentCode(again, code: fresh.code, client: client) else {
            Issue.record("a new verification's code was refused"); return
        }
    }

    @Test func anExpiredUsedEarlierOrAnotherAccountsCodeIsWrong() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let first = try await Self.reverified(harness, "eli@example.com", client: client)
        let second = try await Self.reverify(harness, "eli@example.com")
        let other = try await Self.reverified(harness, "fae@example.com", client: try Harness.client(browser: "browser-0000000031"))
        var token = try await Self.reenrollmentStep(harness, "eli@example.com", client: client)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: first.code, client: client) == .wrongCode, "voided by the next verification")
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: other.code, client: client) == .wrongCode, "another account's")
        guard case .needNewPassword(let newToken) = try await harness.system.forgotPassword.submitReenrollmentCode(token, code: second.code, client: client) else {
            Issue.record("the current code was refused"); return
        }
        #expect(try await harness.system.forgotPassword.setNewPassword(newToken, password: Self.newPassword, client: client) == .completed)
        // Used: the account has no PIN yet, so Forgot password asks for a code again, and this one is spent.
        token = try await Self.reenrollmentStep(harness, "eli@example.com", client: client)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: second.code, client: client) == .wrongCode, "single use")

        let late = try await Self.reverify(harness, "eli@example.com")
        harness.clock.advance(by: .seconds(24 * 3600))
        token = try await Self.reenrollmentStep(harness, "eli@example.com", client: client)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: late.code, client: client) == .wrongCode, "expired after 24 hours")
        #expect(try await harness.system.purgeExpired().steps >= 1, "and purged")
    }

    @Test func twoFlowsPastTheCodeCannotBothSetAPassword() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let code = try await Self.reverified(harness, "gia@example.com", client: client)
        let firstStep = try await Self.reenrollmentStep(harness, "gia@example.com", client: client)
        let secondClient = try Harness.client("198.51.100.9", browser: "browser-0000000062")
        let secondStep = try await Self.reenrollmentStep(harness, "gia@example.com", client: secondClient)
        guard case .needNewPassword(let first) = try await harness.system.forgotPassword.submitReenrollmentCode(firstStep, code: code.code, client: client),
            case .needNewPassword(let second) = try await harness.system.forgotPassword.submitReenrollmentCode(secondStep, code: code.code, client: secondClient)
        else { Issue.record("the code was refused"); return }
        #expect(try await harness.system.forgotPassword.setNewPassword(second, password: Self.newPassword, client: secondClient) == .completed)
        await #expect(throws: SignInError.concurrentChange) {
            _ = try await harness.system.forgotPassword.setNewPassword(first, password: "yet another passphrase", client: client)
        }
    }

    @Test func aVerifiedAccountWithoutAPINNeedsTheOperatorsCodeAndAnUnverifiedOneDoesNot() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        // Verified, no PIN yet (the first sign-in not made): the mailbox alone must not choose its password either.
        try await harness.signUp("hue@example.com", client: client)
        try await harness.verifyIdentity("hue@example.com")
        let token = try await Self.reenrollmentStep(harness, "hue@example.com", client: client)
        #expect(try await harness.system.forgotPassword.submitReenrollmentCode(token, code: "2222-2222-22222", client: client) == .wrongCode)
        // Not verified: the mailbox is all the account ever proved.
        try await harness.signUp("ida@example.com", client: client)
        guard case .needNewPassword = try await Self.afterEmailedCode(harness, "ida@example.com", client: client) else {
            Issue.record("an unverified account asked for a re-enrollment code"); return
        }
    }

    @Test func theDefaultsAreADayAndTenTries() {
        let configuration = SignInConfiguration()
        #expect(configuration.reenrollmentCodeLifetime == .seconds(86_400))
        #expect(configuration.reenrollmentCodeLockout.account.hardLockAfter == 10 && configuration.reenrollmentCodeLockout.account.threshold == 3)
        var bad = SignInConfiguration()
        bad.reenrollmentCodeLifetime = .seconds(8 * 86_400)
        #expect(throws: SignInError.self) { try bad.validate() }
        bad = SignInConfiguration()
        bad.reenrollmentCodeLockout.purpose = "pin"
        #expect(throws: SignInError.self) { try bad.validate() }
    }
}

extension SignInSystem {
    /// The operator's view of an account, by address.
    func account(ofEmail email: String) async throws -> AccountStatus {
        guard let status = try await administration.status(email: try EmailAddress(email)) else { throw HarnessError("no account \(email)") }
        return status
    }
}
