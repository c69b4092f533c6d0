import Foundation
import Testing

@testable import Deadbolt
@testable import DeadboltVectors

/// Hashes that other tools wrote (libsodium, argon2-cffi, the argon2 tool, passlib, Django), recorded in
/// `Vectors/interop_hashes_test.json` with the commands that made them (see Vectors/README.md).
@Suite struct InteroperabilityTests {
    struct Recorded {
        let encoded: String
        let password: [UInt8]
        let valid: Bool
        let flags: [String]
    }

    func recorded() throws -> [Recorded] {
        let data = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Vectors/interop_hashes_test.json"))
        guard case .object(let file) = try JSONDecoder().decode(JSONValue.self, from: data) else { return [] }
        var tests: [Recorded] = []
        for group in try VectorObject(file).objects("testGroups") {
            for test in try group.objects("tests") {
                var flags: [String] = []
                if case .array(let values)? = test.fields["flags"] {
                    flags = values.compactMap { if case .string(let flag) = $0 { flag } else { nil } }
                }
                tests.append(
                    Recorded(
                        encoded: try test.string("encoded"), password: try test.hex("password"),
                        valid: try test.string("result") == "valid", flags: flags))
            }
        }
        return tests
    }

    @Test func everyProducerIsCovered() throws {
        let flags = Set(try recorded().flatMap(\.flags))
        for producer in ["libsodium", "argon2-cffi", "argon2-cli", "passlib", "django"] {
            #expect(flags.contains(producer), "no hash from \(producer)")
        }
    }

    @Test func foreignHashesVerifyAndNeedARehashUnderTheDefaultPolicy() async throws {
        let hasher = try PasswordHasher(for: .password, keyring: nil, pool: testPool)
        for test in try recorded() {
            let answer = try await hasher.verify(SecretBytes(test.password), against: test.encoded)
            if test.valid {
                // None of these tools writes Deadbolt's default policy (m=19456, t=2, p=1, 16-byte salt, 32-byte tag).
                #expect(answer == .matchedNeedsRehash, "\(test.flags) \(test.encoded)")
            } else {
                #expect(answer == .mismatch, "\(test.flags) \(test.encoded)")
            }
            var wrong = test.password
            wrong.append(UInt8(ascii: "x"))
            #expect(try await hasher.verify(SecretBytes(wrong), against: test.encoded) == .mismatch)
        }
    }

    @Test func aForeignArgon2HashUnderTheSamePolicyNeedsNoRehash() async throws {
        // A PHC Argon2 hash from another tool whose parameters equal the policy's is simply current.
        for test in try recorded() where test.valid {
            let stored = try StoredHash(parsing: test.encoded)
            guard stored.format == .phc, case .argon2(var parameters) = stored.algorithm, parameters.version == .v13
            else { continue }
            parameters.saltLength = stored.salt.count
            parameters.tagLength = stored.output.count
            let hasher = try PasswordHasher(for: .password, algorithm: .argon2(parameters), keyring: nil, pool: testPool)
            #expect(try await hasher.verify(SecretBytes(test.password), against: test.encoded) == .matched)
            return
        }
        Issue.record("no version-19 PHC Argon2 hash recorded")
    }

    @Test func passlibAndDjangoAlwaysNeedARehash() async throws {
        for test in try recorded() where test.valid && (test.flags.contains("passlib") || test.flags.contains("django")) {
            let stored = try StoredHash(parsing: test.encoded)
            #expect(stored.format != .phc)
            guard case .pbkdf2(let parameters) = stored.algorithm else {
                Issue.record("not PBKDF2: \(test.encoded)")
                continue
            }
            // Even a policy with the very same hash and iteration count upgrades them to PHC.
            let hasher = try PasswordHasher(
                for: .password, algorithm: .pbkdf2(.init(hash: parameters.hash, iterations: parameters.iterations)),
                keyring: nil, pool: testPool)
            #expect(try hasher.needsRehash(test.encoded))
            #expect(try await hasher.verify(SecretBytes(test.password), against: test.encoded) == .matchedNeedsRehash)
        }
    }
}
