import Deadbolt
import Testing

@testable import DeadboltSignIn

/// Recovery codes kept in the database: their digests are the engine's, and a presented code is compared with
/// every stored digest.
@Suite struct RecoveryCodeDigestTests {
    @Test func theStoredDigestsAreTheEnginesKeyedDigestsOfTheCodes() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("rue@example.com", client: client)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        let codes = try await harness.system.account.generateRecoveryCodes(session, client: client)
        let key = harness.system.context.secrets.recoveryCodeKey
        let expected = try codes.map { code in
            Hex.encode(try #require(try RecoveryCodes.digest(of: code, account: session.account.rawValue, hashingKey: key)))
        }
        #expect(Set(try await harness.store.recoveryCodeDigests(account: session.account)) == Set(expected))
        // The engine's reading of the input: lower case, no hyphens, spaces.
        let typed = codes[3].lowercased().replacingOccurrences(of: "-", with: " ")
        #expect(try harness.system.context.recoveryCodeDigest(typed, account: session.account).map { Hex.encode($0) } == expected[3])
        #expect(try harness.system.context.recoveryCodeDigest("not a code", account: session.account) == nil)
        #expect(try harness.system.context.recoveryCodeDigest(codes[3], account: try AccountID.random()).map { Hex.encode($0) } != expected[3],
            "a digest matches only for its account")
    }

    @Test func theLastCodeOfTheSetIsRedeemedAsTheFirst() async throws {
        let harness = try await Harness()
        let client = try Harness.client()
        let grant = try await harness.activeAccount("rex@example.com", client: client)
        let session = try await harness.system.sessions.authenticate(grant.token, client: client)
        let codes = try await harness.system.account.generateRecoveryCodes(session, client: client)
        let newDevice = try Harness.client(browser: "browser-0000000077")
        for code in [codes[9], codes[0]] {
            guard case .needSecondFactor(let token, _) = try await harness.signIn("rex@example.com", client: newDevice) else {
                Issue.record("no second factor"); return
            }
            guard case .signedIn = try await harness.system.signIn.submitSecondFactor(token, proof: .recoveryCode(code), rememberDevice: false, client: newDevice) else {
                Issue.record("a stored code was refused"); return
            }
        }
        #expect(try await harness.store.recoveryCodeDigests(account: session.account).count == 8)
    }

    @Test func theScanComparesEveryDigestAndFindsTheFirstMatch() {
        let digests: [[UInt8]] = (0..<10).map { [UInt8](repeating: UInt8($0), count: 32) }
        for position in [0, 4, 9] {
            var comparisons = 0
            let found = ConstantTimeScan.firstMatch(of: digests[position], in: digests) { left, right in
                comparisons += 1
                return ConstantTime.equals(left, right)
            }
            #expect(found == position)
            #expect(comparisons == digests.count, "no early exit: every digest is compared whatever the position")
        }
        #expect(ConstantTimeScan.firstMatch(of: [UInt8](repeating: 0xee, count: 32), in: digests) == nil)
        #expect(ConstantTimeScan.firstMatch(of: digests[2], in: []) == nil)
        #expect(ConstantTimeScan.firstMatch(of: digests[2], in: [digests[1], digests[2], digests[5], digests[2]]) == 1, "the first of duplicates")
        #expect(ConstantTimeScan.firstMatch(of: digests[2], in: [[], digests[2]]) == 1, "an unreadable stored digest matches nothing")
    }
}
