import Foundation
import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct RecoveryCodeTests {
        let storeClock = ManualClock()
        let store: InMemoryStateStore

        init() { store = InMemoryStateStore(clock: storeClock) }


        @Test func codesHaveTheShapeAndEntropyPromised() throws {
            let codes = try RecoveryCodes.generate()
            #expect(codes.count == 10)
            #expect(Set(codes).count == 10)
            for code in codes {
                let groups = code.split(separator: "-", omittingEmptySubsequences: false)
                #expect(groups.map(\.count) == [4, 4, 5])
                #expect(groups.joined().utf8.allSatisfy { CodeAlphabet.unambiguous.contains($0) })
            }
            // NIST SP 800-63B §5.1.2.1: at least 64 bits of entropy per look-up secret.
            #expect(Double(RecoveryCodes.symbolsPerCode) * log2(Double(CodeAlphabet.unambiguous.count)) >= 64)
            #expect(!CodeAlphabet.unambiguous.contains { "01OIL".utf8.contains($0) })
            #expect(throws: OneTimeCodeError.invalidCount) { try RecoveryCodes.generate(count: 0) }
            #expect(throws: OneTimeCodeError.invalidCount) { try RecoveryCodes.generate(count: 101) }
        }

        @Test func consumedOnceEachWithACount() async throws {
            let key = try testHashingKey()
            let verifier = OneTimeCodeVerifier(store: store, hashingKey: key)
            let codes = try await RecoveryCodes.issue(account: "alice", store: store, hashingKey: key)
            #expect(try await RecoveryCodes.remaining(account: "alice", store: store) == 10)
            let typed = " " + codes[3].lowercased().replacingOccurrences(of: "-", with: "") + " "
            let outcome = try await verifier.verifyRecoveryCode(typed, account: "alice")
            #expect(outcome == .accepted(.init(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: 9)))
            #expect(try await verifier.verifyRecoveryCode(codes[3], account: "alice") == .rejected)
            #expect(try await RecoveryCodes.remaining(account: "alice", store: store) == 9)
            let spaced = codes[4].replacingOccurrences(of: "-", with: " - ")
            #expect(try await verifier.verifyRecoveryCode(spaced, account: "alice")
                == .accepted(.init(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: 8)))
            #expect(try await verifier.verifyRecoveryCode(codes[5], account: "bob") == .rejected)
            #expect(try await verifier.verifyRecoveryCode(String(codes[5].dropLast()), account: "alice") == .rejected)
        }

        @Test func aNewSetReplacesTheOld() async throws {
            let key = try testHashingKey()
            let verifier = OneTimeCodeVerifier(store: store, hashingKey: key)
            let old = try await RecoveryCodes.issue(account: "alice", count: 3, store: store, hashingKey: key)
            let new = try await RecoveryCodes.issue(account: "alice", count: 5, store: store, hashingKey: key)
            #expect(try await RecoveryCodes.remaining(account: "alice", store: store) == 5)
            #expect(try await verifier.verifyRecoveryCode(old[0], account: "alice") == .rejected)
            #expect(try await verifier.verifyRecoveryCode(new[0], account: "alice").eventKind == .recoveryCodeUsed)
        }

        /// The digest a system keeps in its own database is the one the store keeps: a code issued through the
        /// store redeems from the set by it, for any way of typing the code.
        @Test func theDigestOfACodeIsTheStoredOne() async throws {
            let key = try testHashingKey()
            let codes = try await RecoveryCodes.issue(account: "a{b}@example.com", count: 3, store: store, hashingKey: key)
            let setKey = try RecoveryCodes.setKey(account: "a{b}@example.com")
            let typed = " " + codes[1].lowercased().replacingOccurrences(of: "-", with: " ") + " "
            let digest = try #require(try RecoveryCodes.digest(of: typed, account: "a{b}@example.com", hashingKey: key))
            #expect(digest == (try RecoveryCodes.digest(of: codes[1], account: "a{b}@example.com", hashingKey: key)))
            #expect(try await store.redeemFromCodeSet(setKey, digest: digest) == 2)
            // Bound to the account.
            #expect(try RecoveryCodes.digest(of: codes[1], account: "bob@example.com", hashingKey: key) != digest)
        }

        /// A known answer, so digests kept in a database stay valid across releases. Computed with Python's hmac:
        /// `hmac.new(b'\x42' * 32, b'deadbolt.recovery-code.v1' + f(b'alice') + f(b'ABCDEFGHJKMNP'),
        /// hashlib.sha256).hexdigest()`, where `f(b)` is `struct.pack('>I', len(b)) + b`.
        @Test func theDigestHasAStableKnownAnswer() throws {
            let digest = try RecoveryCodes.digest(of: "abcd-efgh-jkmnp", account: "alice", hashingKey: try testHashingKey())
            #expect(digest.map(Hex.encode) == "68e4b954bfe016e6527cc7a351fc8f3c93b9c8b23a69b000d34e8cf523f592b0")
        }

        @Test func malformedCodesHaveNoDigest() throws {
            let key = try testHashingKey()
            for code in [
                "", "ABCD-EFGH-JKMN", "ABCD-EFGH-JKMNPQ", "ABCD-EFGH-JKMN0", "ABCD-EFGH-JKMNO", "ABCD-EFGH-JKMN!",
                "ABCD_EFGH_JKMNP", String(repeating: "A", count: 65), String(repeating: "-", count: 64) + "ABCDEFGHJKMNP",
            ] {
                #expect(try RecoveryCodes.digest(of: code, account: "alice", hashingKey: key) == nil, "\(code)")
            }
            #expect(try RecoveryCodes.digest(of: "ABCD EFGH JKMNP", account: "alice", hashingKey: key)?.count == 32)
        }
    }
}
