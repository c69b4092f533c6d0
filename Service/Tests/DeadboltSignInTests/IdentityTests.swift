import Deadbolt
import Foundation
import Testing

@testable import DeadboltSignIn

@Suite struct IdentityTests {
    @Test func theOperatorsApprovalRecordsTheProofAndSealsTheFacts() async throws {
        let harness = try await Harness()
        try await harness.signUp("opal@example.com")
        try await harness.verifyIdentity("opal@example.com")
        let account = try #require(try await harness.store.account(emailKey: "opal@example.com"))
        #expect(account.state == .needsPIN)
        #expect(account.phoneLastFour == "0143")
        let proofing = try #require(try await harness.store.identityProofing(account: account.id))
        #expect(proofing.method == .operatorApproval && proofing.approvedBy == "operator" && proofing.evidenceReference == "case-1")
        for secret in ["1990-04-12", "6789", "555 0143"] {
            #expect(!proofing.sealedFacts.contains(secret) && !(account.sealedPhone ?? "").contains(secret))
        }
        let facts = try #require(try await harness.system.context.personalFacts(of: account.id))
        #expect(facts.birthDate == "1990-04-12" && facts.ssnLastFour == "6789")
        #expect("\(facts)" == "PersonalFacts(birthDate, ssnLastFour, phoneNumber)")
        // Sealed for this account only: the same text does not open for another.
        #expect(throws: SealedSecretError.authenticationFailed) {
            _ = try harness.system.context.secrets.sealing.unseal(proofing.sealedFacts, account: try AccountID.random().rawValue)
        }
        let notices = try await harness.deliver().map(\.notice)
        #expect(notices.contains { if case .identityVerified(false, _) = $0 { true } else { false } })
    }

    @Test func anUnknownAddressOrMalformedFactsAreRefused() async throws {
        let harness = try await Harness()
        await #expect(throws: SignInError.notFound) { try await harness.verifyIdentity("nobody@example.com") }
        #expect(throws: SignInError.self) { _ = try PersonalFacts(birthDate: "1990-13-40", ssnLastFour: nil, phoneNumber: nil) }
        #expect(throws: SignInError.self) { _ = try PersonalFacts(birthDate: nil, ssnLastFour: "12a4", phoneNumber: nil) }
        #expect(throws: SignInError.self) {
            _ = try IdentityProof(method: .operatorApproval, evidenceReference: "", approvedBy: "x", facts: try PersonalFacts(birthDate: nil, ssnLastFour: nil, phoneNumber: nil))
        }
    }
}

extension IdentityTests {
    @Test func aReverificationTellsEveryChannelOnFileTheOldPhoneIncluded() async throws {
        let harness = try await Harness()
        try await harness.activeAccount("pia@example.com", phone: "+1 202 555 0143")
        try await harness.deliver()
        try await harness.verifyIdentity("pia@example.com", phone: "+1 202 555 0199")
        let told = try await harness.deliver().filter { if case .identityVerified(true, _) = $0.notice { true } else { false } }
        #expect(Set(told.map(\.destination)) == ["pia@example.com", "+1 202 555 0143"], "the number being replaced hears of it")
        #expect(try await harness.store.account(emailKey: "pia@example.com")?.phoneLastFour == "0199")
    }
}
