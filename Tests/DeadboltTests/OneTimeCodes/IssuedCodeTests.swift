import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct IssuedCodeTests {
        let storeClock = ManualClock()
        let store: InMemoryStateStore

        init() { store = InMemoryStateStore(clock: storeClock) }

        let delivery = RecordingDelivery()
        let binding = Array("request-42".utf8)

        func sender(_ policy: IssuedCodePolicy = .init()) throws -> IssuedCodeSender {
            try IssuedCodeSender(store: store, delivery: delivery, hashingKey: try testHashingKey(), policy: policy)
        }

        func verifier() throws -> OneTimeCodeVerifier {
            OneTimeCodeVerifier(store: store, hashingKey: try testHashingKey())
        }

        @Test func issueThenRedeemOnce() async throws {
            #expect(try await sender().issue(account: "alice", purpose: .signInStepUp, binding: binding) == .sent)
            let code = try #require(await delivery.lastCode)
            #expect(code.count == 6)
            #expect(code.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            let outcome = try await verifier().verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding)
            guard case .accepted(let acceptance) = outcome else {
                Issue.record("expected acceptance, got \(outcome)")
                return
            }
            #expect(acceptance.kind == .issuedCode)
            #expect(try await verifier().verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding) == .expired)
        }

        @Test func otherPurposeAccountOrBindingDoNotRedeem() async throws {
            _ = try await sender().issue(account: "alice", purpose: .pinReset, binding: binding)
            let code = try #require(await delivery.lastCode)
            let verifier = try verifier()
            #expect(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding) == .expired)
            #expect(try await verifier.verifyIssuedCode(code, account: "bob", purpose: .pinReset, binding: binding) == .expired)
            // The right code with another request's binding is spent and refused.
            #expect(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .pinReset, binding: Array("other".utf8)) == .rejected)
            #expect(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .pinReset, binding: binding) == .expired)
        }

        @Test func wrongTriesKillTheCode() async throws {
            _ = try await sender().issue(account: "alice", purpose: .signInStepUp, binding: binding)
            let code = try #require(await delivery.lastCode)
            let wrong = code == "000000" ? "111111" : "000000"
            let verifier = try verifier()
            for _ in 0..<3 {
                #expect(try await verifier.verifyIssuedCode(wrong, account: "alice", purpose: .signInStepUp, binding: binding) == .rejected)
            }
            #expect(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding) == .expired)
        }

        @Test func codesExpire() async throws {
            _ = try await sender().issue(account: "alice", purpose: .signInStepUp, binding: binding)
            let code = try #require(await delivery.lastCode)
            storeClock.advance(by: .seconds(601))
            #expect(try await verifier().verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding) == .expired)
        }

        @Test func codesLiveUpToTheirLifetime() async throws {
            _ = try await sender().issue(account: "alice", purpose: .signInStepUp, binding: binding)
            let code = try #require(await delivery.lastCode)
            storeClock.advance(by: .seconds(599))
            #expect(try await verifier().verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: binding) != .expired)
        }

        @Test func cooldownThenResendReplacesTheOldCode() async throws {
            let sender = try sender()
            #expect(try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding) == .sent)
            let first = try #require(await delivery.lastCode)
            #expect(try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding) == .coolingDown)
            #expect(await delivery.sent.count == 1)
            storeClock.advance(by: .seconds(61))
            #expect(try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding) == .sent)
            let second = try #require(await delivery.lastCode)
            let verifier = try verifier()
            if first != second {
                #expect(try await verifier.verifyIssuedCode(first, account: "alice", purpose: .signInStepUp, binding: binding) == .rejected)
            }
            #expect(try await verifier.verifyIssuedCode(second, account: "alice", purpose: .signInStepUp, binding: binding).eventKind == .codeRedeemed)
        }

        @Test func unknownAccountsGetTheSameAnswer() async throws {
            // The engine cannot tell known from unknown accounts: both are stored and handed to the delivery alike.
            let sender = try sender()
            let known = try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding)
            let unknown = try await sender.issue(account: "no-such-account", purpose: .signInStepUp, binding: binding)
            #expect(known == unknown)
            #expect(await delivery.sent.map(\.account) == ["alice", "no-such-account"])
        }

        @Test func deliveryFailureWithdrawsTheCodeAndCooldown() async throws {
            await delivery.setFailNext()
            let sender = try sender()
            await #expect(throws: RecordingDelivery.DeliveryFailure.self) {
                try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding)
            }
            #expect(try await sender.issue(account: "alice", purpose: .signInStepUp, binding: binding) == .sent)
        }

        @Test func alphanumericCodesUseTheUnambiguousAlphabet() async throws {
            _ = try await sender(IssuedCodePolicy(format: .alphanumeric(length: 8)))
                .issue(account: "alice", purpose: .emailVerification, binding: binding)
            let code = try #require(await delivery.lastCode)
            #expect(code.count == 8)
            #expect(code.utf8.allSatisfy { CodeAlphabet.unambiguous.contains($0) })
            let typed = code.lowercased().prefix(4) + " - " + code.lowercased().dropFirst(4)
            #expect(try await verifier().verifyIssuedCode(String(typed), account: "alice", purpose: .emailVerification, binding: binding)
                .eventKind == .codeRedeemed)
        }

        @Test func policiesAreChecked() throws {
            #expect(throws: OneTimeCodeError.invalidFormat) { try sender(IssuedCodePolicy(format: .numeric(digits: 5))) }
            #expect(throws: OneTimeCodeError.invalidFormat) { try sender(IssuedCodePolicy(format: .numeric(digits: 11))) }
            #expect(throws: OneTimeCodeError.invalidFormat) { try sender(IssuedCodePolicy(format: .alphanumeric(length: 17))) }
            #expect(throws: OneTimeCodeError.invalidPolicy("tries must be 1 to 10")) { try sender(IssuedCodePolicy(tries: 0)) }
            #expect(throws: OneTimeCodeError.hashingKeyTooShort(minimum: 32)) { try CodeHashingKey(SecretBytes([1, 2, 3])) }
            #expect(CodePurpose(rawValue: "Bad Purpose") == nil)
            #expect(CodePurpose(rawValue: "pin-reset") == .pinReset)
        }
    }
}
