import Deadbolt
import Testing

@testable import DeadboltSignIn

/// An unknown email walks the same steps with the same answers and the same hashing cost as a known one. Compared
/// by recorded answers (with tokens blanked: they are random) and by counted hash calls, never by timing.
@Suite struct EnumerationTests {
    /// An answer with its token blanked, so two runs compare equal when they say the same thing.
    static func shape(_ answer: SignInAnswer) -> String {
        switch answer {
        case .needPassword: "needPassword"
        case .needPIN: "needPIN"
        case .needNewPIN: "needNewPIN"
        case .needSecondFactor(_, let choices): "needSecondFactor \(choices)"
        case .codeSent(_, let to): "codeSent \(to)"
        case .signedIn: "signedIn"
        default: "\(answer)"
        }
    }

    static func shape(_ answer: RecoveryAnswer) -> String {
        switch answer {
        case .chooseChannel(_, let choices): "chooseChannel \(choices.count) \(choices.map { if case .email = $0 { "email" } else { "phone" } })"
        case .codeSent(_, let to): if case .email = to { "codeSent email" } else { "codeSent phone" }
        default: "\(answer)"
        }
    }

    static func shape(_ answer: SignUpAnswer) -> String {
        switch answer {
        // The mask shows the address's first character, which differs between any two addresses.
        case .confirmEmail(_, .email(let masked)): "confirmEmail \(masked.dropFirst())"
        default: "\(answer)"
        }
    }

    @Test func signInWithAKnownAndAnUnknownEmailAnswersAlikeAtTheSameCost() async throws {
        let harness = try await Harness()
        try await harness.activeAccount("known@example.com")
        func run(_ email: String) async throws -> ([String], Int, Int) {
            let passwordsBefore = harness.passwords.total
            let pinsBefore = harness.pins.total
            let client = try Harness.client(browser: "browser-enumeration-\(email.count)")
            var answers: [String] = []
            let start = try await harness.system.signIn.start(email: email, client: client)
            answers.append(Self.shape(start))
            guard case .needPassword(let token) = start else { return (answers, 0, 0) }
            for password in ["wrong password one", "wrong password two", "wrong password three"] {
                answers.append(Self.shape(try await harness.system.signIn.submitPassword(token, password: password, client: client)))
            }
            return (answers, harness.passwords.total - passwordsBefore, harness.pins.total - pinsBefore)
        }
        let known = try await run("known@example.com")
        let unknown = try await run("nobody@example.com")
        #expect(known.0 == unknown.0)
        #expect(known.0 == ["needPassword", "wrongPassword", "wrongPassword", "wrongPassword"])
        #expect(known.1 == unknown.1)
        #expect(known.1 == 3, "one password verification per attempt")
        #expect(known.2 == 0 && unknown.2 == 0)
    }

    @Test func anUnknownEmailIsLockedOutLikeAKnownOne() async throws {
        let harness = try await Harness()
        try await harness.activeAccount("known@example.com")
        func attempts(_ email: String) async throws -> [String] {
            let client = try Harness.client(browser: "browser-lockout-\(email.count)")
            guard case .needPassword(let token) = try await harness.system.signIn.start(email: email, client: client) else { return [] }
            var answers: [String] = []
            for _ in 0..<7 { answers.append(Self.shape(try await harness.system.signIn.submitPassword(token, password: "not the password!", client: client))) }
            return answers
        }
        let known = try await attempts("known@example.com")
        let unknown = try await attempts("nobody@example.com")
        #expect(known == unknown)
        #expect(known.suffix(2) == ["locked(retryAfter: 60.0 seconds)", "locked(retryAfter: 60.0 seconds)"])
    }

    @Test func signUpWithAKnownAndAnUnknownEmailAnswersAlikeAtTheSameCost() async throws {
        let harness = try await Harness()
        try await harness.signUp("taken@example.com")
        harness.clock.advance(by: .seconds(61))
        func run(_ email: String) async throws -> ([String], Int) {
            let before = harness.passwords.total
            let client = try Harness.client(browser: "browser-signup-\(email.count)")
            var answers: [String] = []
            let start = try await harness.system.signUp.start(email: email, password: "a brand new passphrase", client: client)
            answers.append(Self.shape(start))
            guard case .confirmEmail(let token, _) = start else { return (answers, 0) }
            answers.append(Self.shape(try await harness.system.signUp.confirmEmail(token, code: "000000", client: client)))
            return (answers, harness.passwords.total - before)
        }
        let known = try await run("taken@example.com")
        let unknown = try await run("fresh@example.com")
        #expect(known.0 == unknown.0)
        #expect(known.1 == unknown.1)
        #expect(known.1 == 1)
    }

    @Test func forgotPINWithAKnownAndAnUnknownEmailAnswersAlikeAtTheSameCost() async throws {
        let harness = try await Harness()
        try await harness.activeAccount("known@example.com", phone: nil)
        try await harness.deliver()
        func run(_ email: String) async throws -> ([String], Int) {
            let before = harness.passwords.total + harness.pins.total
            let client = try Harness.client(browser: "browser-forgot-\(email.count)")
            var answers: [String] = []
            let start = try await harness.system.forgotPIN.start(email: email, client: client)
            answers.append(Self.shape(start))
            guard case .chooseChannel(let token, _) = start else { return (answers, 0) }
            let sent = try await harness.system.forgotPIN.sendCode(token, via: .phone, client: client)
            answers.append(Self.shape(sent))
            guard case .codeSent(let codeToken, _) = sent else { return (answers, 0) }
            for code in ["000000", "111111"] {
                answers.append(Self.shape(try await harness.system.forgotPIN.submitCode(codeToken, code: code, client: client)))
            }
            return (answers, harness.passwords.total + harness.pins.total - before)
        }
        let known = try await run("known@example.com")
        let unknown = try await run("nobody@example.com")
        #expect(known.0 == unknown.0)
        #expect(known.0.first == "chooseChannel 2 [\"email\", \"phone\"]")
        #expect(known.1 == unknown.1)
        #expect(try await harness.deliver().isEmpty, "no phone on file: nothing is texted, for either")
    }

    @Test func theMaskedPhoneOfAnUnknownEmailIsStable() async throws {
        let harness = try await Harness()
        func phone() async throws -> [RecoveryChannelChoice] {
            guard case .chooseChannel(_, let choices) = try await harness.system.forgotPIN.start(email: "ghost@example.com", client: try Harness.client())
            else { return [] }
            return choices
        }
        let first = try await phone()
        #expect(first == (try await phone()))
        #expect(first.count == 2)
    }
}
