import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct SignUpTests {
    @Test func aNewAddressGetsACodeAndTheAccountExistsOnceItIsEntered() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let answer = try await harness.system.signUp.start(email: "  Alice@Example.COM ", password: Harness.defaultPassword, client: client)
        guard case .confirmEmail(let token, let destination) = answer else { Issue.record("answered \(answer)"); return }
        #expect(destination == .email(masked: "A•••@example.com"))
        #expect(try await harness.store.account(emailKey: "alice@example.com") == nil, "no account before the code")
        let code = try await harness.lastCode(to: "Alice@example.com")
        #expect(try await harness.system.signUp.confirmEmail(token, code: "000000" == code ? "111111" : "000000", client: client) == .wrongCode)
        #expect(try await harness.system.signUp.confirmEmail(token, code: code, client: client) == .accountCreated)
        let account = try #require(try await harness.store.account(emailKey: "alice@example.com"))
        #expect(account.email.address == "Alice@example.com")
        #expect(account.state == .identityUnverified)
        #expect(account.pinHash == nil)
        let activity = try await harness.store.activity(account: account.id, after: nil, limit: 10)
        #expect(activity.entries.map(\.kind) == [.accountCreated])
        await #expect(throws: SignInError.stepInvalid) {
            _ = try await harness.system.signUp.confirmEmail(token, code: code, client: client)
        }
    }

    @Test func anAddressWithAnAccountIsToldSoAndAnsweredExactlyAsANewOne() async throws {
        let harness = try await Harness()
        try await harness.signUp("bob@example.com")
        harness.transport.removeAll()
        // Past the first code's resend cooldown, which a new address would not have.
        harness.clock.advance(by: .seconds(61))
        let client = try Harness.client(browser: "browser-0000000002")
        let answer = try await harness.system.signUp.start(email: "bob@example.com", password: "another strong password", client: client)
        guard case .confirmEmail(let token, let destination) = answer else { Issue.record("answered \(answer)"); return }
        #expect(destination == .email(masked: "b•••@example.com"))
        let delivered = try await harness.deliver()
        #expect(delivered.map(\.notice) == [.alreadyRegistered])
        #expect(!delivered[0].rendered.body.contains(where: \.isNumber) || !delivered[0].rendered.body.contains("code"))
        for code in ["123456", "654321"] {
            #expect(try await harness.system.signUp.confirmEmail(token, code: code, client: client) == .wrongCode)
        }
    }

    @Test func passwordsAreCheckedAgainstNISTRulesAndEveryViolationReturned() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let hashesBefore = harness.passwords.hashes
        func violations(_ password: String, _ email: String = "carol.jones@example.com") async throws -> [PasswordViolation] {
            guard case .passwordRefused(let found) = try await harness.system.signUp.start(email: email, password: password, client: client) else {
                return []
            }
            return found
        }
        #expect(try await violations("short") == [.tooShort(minimum: 12)])
        #expect(try await violations("1qaz2wsx3edc") == [.common])
        #expect(try await violations("aaaaaaaaaaaaaa") == [.repetitiveOrSequential])
        #expect(try await violations("abcdefghijklmn") == [.repetitiveOrSequential])
        #expect(try await violations("carol.jones@example.com!") == [.containsEmail])
        #expect(try await violations("CarolCarolCarolJones") == [.containsEmail])
        #expect(try await violations("Deadbolt Deadbolt 1") == [.containsServiceName])
        #expect(try await violations(String(repeating: "xy7", count: 90)) == [.tooLong(maximum: 256)])
        #expect(try await violations("correct horse carol battery") == [])
        #expect(harness.passwords.hashes - hashesBefore == 1, "only the accepted password was hashed")
        await #expect(throws: SignInError.invalidInput(field: "password", reason: "must be 1 to 4096 bytes")) {
            _ = try await harness.system.signUp.start(email: "dave@example.com", password: String(repeating: "x", count: 5000), client: client)
        }
    }

    @Test func aStepTokenWorksOnlyFromItsBrowserAndAddressAndBeforeItExpires() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        guard case .confirmEmail(let token, _) = try await harness.system.signUp.start(email: "erin@example.com", password: Harness.defaultPassword, client: client) else {
            Issue.record("no code step"); return
        }
        let code = try await harness.lastCode(to: "erin@example.com")
        await #expect(throws: SignInError.stepInvalid) {
            _ = try await harness.system.signUp.confirmEmail(token, code: code, client: try Harness.client(browser: "browser-9999999999"))
        }
        await #expect(throws: SignInError.stepInvalid) {
            _ = try await harness.system.signUp.confirmEmail(token, code: code, client: try Harness.client("198.51.100.7"))
        }
        await #expect(throws: SignInError.stepInvalid) {
            _ = try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        }
        harness.clock.advance(by: .seconds(601))
        await #expect(throws: SignInError.stepInvalid) {
            _ = try await harness.system.signUp.confirmEmail(token, code: code, client: client)
        }
    }

    @Test func aResendWaitsForTheCooldownAndReplacesTheCode() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        guard case .confirmEmail(let token, _) = try await harness.system.signUp.start(email: "finn@example.com", password: Harness.defaultPassword, client: client) else {
            Issue.record("no code step"); return
        }
        let first = try await harness.lastCode(to: "finn@example.com")
        #expect(try await harness.system.signUp.resendCode(token, client: client) == .tryLater(retryAfter: .seconds(60)))
        harness.clock.advance(by: .seconds(61))
        #expect(try await harness.system.signUp.resendCode(token, client: client) == .confirmEmail(token, sentTo: .email(masked: "f•••@example.com")))
        let second = try await harness.lastCode(to: "finn@example.com")
        if first != second {
            #expect(try await harness.system.signUp.confirmEmail(token, code: first, client: client) == .wrongCode)
        }
        #expect(try await harness.system.signUp.confirmEmail(token, code: second, client: client) == .accountCreated)
    }

    @Test func anInvalidEmailIsATypedError() async throws {
        let harness = try await Harness()
        for bad in ["", "no-at-sign", "a@b", "two@@example.com", "a b@example.com", String(repeating: "a", count: 300) + "@example.com"] {
            await #expect(throws: SignInError.self) {
                _ = try await harness.system.signUp.start(email: bad, password: Harness.defaultPassword, client: try Harness.client())
            }
        }
    }
}
