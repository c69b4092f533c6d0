import Testing

@testable import Deadbolt

@Suite struct PHCStringTests {
    static let valid = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"

    @Test func parsesAndReencodesCanonically() throws {
        let phc = try PHCString(parsing: Self.valid)
        #expect(phc.id == "argon2id")
        #expect(phc.version == 19)
        #expect(phc.parameters.map(\.name) == ["m", "t", "p"])
        #expect(phc.salt == Array("somesalt".utf8))
        #expect(phc.description == Self.valid)
        let stored = try StoredHash(parsing: Self.valid)
        #expect(stored.encoded == Self.valid)
        guard case .argon2(let parameters) = stored.algorithm else {
            Issue.record("not Argon2")
            return
        }
        #expect(parameters.memoryKiB == 65536 && parameters.iterations == 2 && parameters.parallelism == 1)
        #expect(parameters.version == .v13 && parameters.variant == .argon2id)
    }

    @Test func keyIDAndDataRoundTrip() throws {
        let text = "$argon2id$v=19$m=1024,t=1,p=1,keyid=k2026,data=YWNjb3VudA$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWQ"
        let stored = try StoredHash(parsing: text)
        #expect(stored.pepperKeyID == "k2026")
        #expect(stored.associatedData == Array("account".utf8))
        #expect(stored.encoded == text)
    }

    @Test func missingVersionMeansVersion16() throws {
        let stored = try StoredHash(parsing: "$argon2i$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWQ")
        guard case .argon2(let parameters) = stored.algorithm else {
            Issue.record("not Argon2")
            return
        }
        #expect(parameters.version == .v10)
    }

    @Test func pbkdf2RoundTrip() throws {
        let text = "$pbkdf2-sha256$i=600000,keyid=k1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
        let stored = try StoredHash(parsing: text)
        #expect(stored.encoded == text)
        #expect(stored.format == .phc)
    }

    @Test(arguments: [
        ("", "empty"),
        ("argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "no leading $"),
        ("$argon2id$v=19$m=01024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "leading zero"),
        ("$argon2id$v=019$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "leading zero in version"),
        ("$argon2id$v=19$t=1,m=1024,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "order"),
        ("$argon2id$v=19$m=1024,t=1,p=1,m=1024$c29tZXNhbHQ$RdescudvJCsgt3ub", "duplicate"),
        ("$argon2id$v=19$m=1024,t=1,p=1,x=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "unknown parameter"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ=$RdescudvJCsgt3ub", "padding"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$Rdescudv*Csgt3ub", "bad character"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHR$RdescudvJCsgt3ub", "non-canonical tail"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$RdescudvJCsgt3ub", "salt shorter than 8"),
        ("$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "memory below 8p"),
        ("$argon2id$v=19$m=1024,t=0,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "t zero"),
        ("$argon2id$v=19$m=1024,t=1,p=0$c29tZXNhbHQ$RdescudvJCsgt3ub", "p zero"),
        ("$argon2id$v=20$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "version 20"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ", "no hash"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub$extra", "extra field"),
        ("$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$", "empty hash"),
        ("$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "memory overflows 32 bits"),
        ("$argon2id$v=19$m=8388608,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub", "memory above the 4 GiB bound"),
        ("$argon2id$v=19$m=1024,t=1,p=1,keyid=k-1$c29tZXNhbHQ$RdescudvJCsgt3ub", "keyid with a dash"),
        ("$pbkdf2-sha256$i=0$c29tZXNhbHQ$RdescudvJCsgt3ub", "zero iterations"),
        ("$pbkdf2-sha256$v=19$i=10$c29tZXNhbHQ$RdescudvJCsgt3ub", "PBKDF2 with a version"),
        ("pbkdf2_sha256$abc$salt$RdescudvJCsgt3ubRdescudvJCsgt3ub", "Django iterations not a number"),
        ("pbkdf2_sha256$1000$salt$RdescudvJCsgt3u", "Django hash not padded base64"),
        ("$pbkdf2-sha256$1000$c29tZXNhbHQ$Rdes*udvJCsgt3ub", "passlib bad character"),
    ])
    func malformedStringsAreTypedErrors(text: String, why: String) {
        #expect(throws: HashingError.self, "\(why)") { try StoredHash(parsing: text) }
        do {
            _ = try StoredHash(parsing: text)
        } catch let error as HashingError {
            guard case .malformedHash = error else {
                Issue.record("\(why): expected malformedHash, got \(error)")
                return
            }
        } catch {
            Issue.record("\(why): untyped error \(error)")
        }
    }

    @Test func unknownAlgorithmsAreUnsupportedNotMalformed() {
        #expect(throws: HashingError.unsupportedAlgorithm("scrypt")) {
            try StoredHash(parsing: "$scrypt$ln=16,r=8,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub")
        }
        #expect(throws: HashingError.unsupportedAlgorithm("pbkdf2_md5")) {
            try StoredHash(parsing: "pbkdf2_md5$1000$salt$Zm9vYmFy")
        }
    }

    @Test func overlongInputIsRefusedBeforeParsing() {
        let huge = "$argon2id$v=19$m=1024,t=1,p=1$" + String(repeating: "A", count: 1_000_000)
        #expect(throws: HashingError.malformedHash(reason: "longer than 1024 bytes")) { try StoredHash(parsing: huge) }
    }

    @Test func randomJunkNeverCrashes() throws {
        let alphabet = Array("$=,0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/.-_ ".utf8)
        for _ in 0..<5000 {
            let length = Int(try SecureRandom.bytes(count: 1)[0]) % 80
            let picks = try SecureRandom.bytes(count: length)
            let text = "$" + String(decoding: picks.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
            _ = try? StoredHash(parsing: text)
        }
        // Mutations of a valid string: every one parses or fails with a typed error.
        let base = Array(Self.valid.utf8)
        for index in base.indices {
            for replacement in [UInt8(ascii: "$"), UInt8(ascii: "0"), UInt8(ascii: "="), UInt8(ascii: ",")] {
                var mutated = base
                mutated[index] = replacement
                do {
                    _ = try StoredHash(parsing: String(decoding: mutated, as: UTF8.self))
                } catch is HashingError {
                } catch {
                    Issue.record("untyped error \(error)")
                }
            }
        }
    }
}
