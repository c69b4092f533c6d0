import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct LimitsTests {
    @Test func flowsStartedFromOneAddressAreRateLimited() async throws {
        let harness = try await Harness(configuration: Harness.configuration {
            $0.flowStartsPerAddress = RateLimit(burst: 3, interval: .seconds(60))
        })
        let client = try Harness.client("198.51.100.20")
        for _ in 0..<3 {
            guard case .needPassword = try await harness.system.signIn.start(email: "any@example.com", client: client) else {
                Issue.record("refused within the burst"); return
            }
        }
        #expect(try await harness.system.signIn.start(email: "any@example.com", client: client) == .tryLater(retryAfter: .seconds(60)))
        #expect(try await harness.system.forgotPIN.start(email: "any@example.com", client: client) == .tryLater(retryAfter: .seconds(60)))
        guard case .needPassword = try await harness.system.signIn.start(email: "any@example.com", client: try Harness.client("203.0.113.20")) else {
            Issue.record("another address was limited too"); return
        }
    }

    @Test func codesSentToOneDestinationAreRateLimited() async throws {
        let harness = try await Harness(configuration: Harness.configuration {
            $0.codeSendLimit = RateLimit(burst: 2, interval: .seconds(3600))
        })
        let client = try Harness.client()
        guard case .chooseChannel(let token, _) = try await harness.system.forgotPIN.start(email: "cody@example.com", client: client) else {
            Issue.record("no channel choice"); return
        }
        guard case .codeSent(var current, _) = try await harness.system.forgotPIN.sendCode(token, via: .email, client: client) else {
            Issue.record("no first code"); return
        }
        harness.clock.advance(by: .seconds(61))
        guard case .codeSent(let next, _) = try await harness.system.forgotPIN.sendCode(current, via: .email, client: client) else {
            Issue.record("no second code"); return
        }
        current = next
        harness.clock.advance(by: .seconds(61))
        guard case .tryLater(let wait) = try await harness.system.forgotPIN.sendCode(current, via: .email, client: client) else {
            Issue.record("a third code within the hour"); return
        }
        #expect(wait > .seconds(3000))
    }

    @Test func wrongSecondFactorCodesLockTheSecondFactor() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        try await harness.activeAccount("gus@example.com", client: client)
        harness.clock.advance(by: .seconds(61))
        let other = try Harness.client(browser: "browser-0000000321")
        guard case .needSecondFactor(let token, _) = try await harness.signIn("gus@example.com", client: other),
            case .codeSent(let codeToken, _) = try await harness.system.signIn.sendSecondFactorCode(token, via: .email, client: other)
        else { Issue.record("no code"); return }
        let code = try await harness.lastCode(to: "gus@example.com")
        var answers: [SignInAnswer] = []
        for _ in 0..<6 {
            answers.append(try await harness.system.signIn.submitSecondFactor(codeToken, proof: .recoveryCode("AAAA-BBBB-CCCCC"), rememberDevice: false, client: other))
        }
        #expect(answers.prefix(5).allSatisfy { $0 == .wrongCode })
        #expect(answers.last == .locked(retryAfter: .seconds(30)))
        #expect(try await harness.system.signIn.submitSecondFactor(codeToken, proof: .sentCode(code), rememberDevice: false, client: other) == .locked(retryAfter: .seconds(30)))
        let account = try #require(try await harness.store.account(emailKey: "gus@example.com"))
        #expect(try await harness.store.activity(account: account.id, after: nil, limit: 100).entries.filter { $0.kind == .secondFactorFailed }.count == 5)
    }
}
