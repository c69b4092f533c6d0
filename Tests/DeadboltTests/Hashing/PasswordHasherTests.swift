import Testing

@testable import Deadbolt

/// Small Argon2 parameters keep tests fast; real parameters belong in the benchmark.
let testArgon2 = Argon2.Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
let testPool = HashingPool(workerCount: 2, memoryBudgetBytes: 64 << 20, admissionTimeout: .seconds(30))

func testKeyring(current: String = "k2", retired: [String] = ["k1"]) throws -> PepperKeyring {
    func key(_ id: String) throws -> PepperKey {
        try PepperKey(id: id, secret: [UInt8](repeating: UInt8(id.utf8.count + Int(id.utf8.last ?? 0)), count: 32))
    }
    return try PepperKeyring(current: key(current), retired: retired.map(key))
}

@Suite struct PasswordHasherTests {
    func pins(_ algorithm: HashAlgorithm = .argon2(testArgon2), keyring: PepperKeyring? = nil) throws -> PasswordHasher {
        try PasswordHasher(for: .pin, algorithm: algorithm, keyring: keyring ?? testKeyring(), pool: testPool)
    }

    @Test func hashThenVerify() async throws {
        let hasher = try pins()
        let stored = try await hasher.hash("482913")
        #expect(stored.hasPrefix("$argon2id$v=19$m=64,t=1,p=1,keyid=k2$"))
        #expect(try await hasher.verify("482913", against: stored) == .matched)
        #expect(try await hasher.verify("482914", against: stored) == .mismatch)
        #expect(try await hasher.verify("4829130", against: stored) == .mismatch)
        #expect(try hasher.needsRehash(stored) == false)
    }

    @Test func saltsAreFreshEachTime() async throws {
        let hasher = try pins()
        let first = try await hasher.hash("482913")
        let second = try await hasher.hash("482913")
        #expect(first != second)
    }

    @Test func pinsRequireAPepperUnlessOptedOut() throws {
        #expect(throws: HashingError.pepperRequired) {
            try PasswordHasher(for: .pin, algorithm: .argon2(testArgon2), keyring: nil)
        }
        let optedOut = try PasswordHasher(for: .pin, algorithm: .argon2(testArgon2), keyring: nil, allowUnpepperedPINs: true)
        #expect(optedOut.keyring == nil)
        let passwords = try PasswordHasher(for: .password, algorithm: .argon2(testArgon2), keyring: nil)
        #expect(passwords.kind == .password)
    }

    @Test func thePepperChangesTheHash() async throws {
        let peppered = try pins()
        let unpeppered = try PasswordHasher(
            for: .pin, algorithm: .argon2(testArgon2), keyring: nil, allowUnpepperedPINs: true, pool: testPool)
        let stored = try await peppered.hash("482913")
        // Same salt, parameters and tag, without the pepper: the tag must not verify.
        let stripped = stored.replacingOccurrences(of: ",keyid=k2", with: "")
        #expect(try await unpeppered.verify("482913", against: stripped) == .mismatch)
    }

    /// Unpeppered hashes of the PIN 482913 in every form Deadbolt reads: PHC Argon2 and PBKDF2 (made by a hasher
    /// with the opt-out and no keyring), and passlib and Django PBKDF2-SHA256 at 1000 iterations, made with
    /// Python's hashlib: `hashlib.pbkdf2_hmac('sha256', b'482913', salt, 1000)`, salt `pinsalt1` (Django, as text)
    /// and bytes 0x00…0x0f (passlib, adapted base64: `+` as `.`, no padding).
    func unpepperedPINHashes() async throws -> [String] {
        let argon2 = try PasswordHasher(
            for: .pin, algorithm: .argon2(testArgon2), keyring: nil, allowUnpepperedPINs: true, pool: testPool)
        let pbkdf2 = try PasswordHasher(
            for: .pin, algorithm: .pbkdf2(.init(hash: .sha256, iterations: 1000)), keyring: nil,
            allowUnpepperedPINs: true, pool: testPool)
        return [
            try await argon2.hash("482913"),
            try await pbkdf2.hash("482913"),
            "$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$wkSz608lUH7YuK14npfH2KTPoo/CV8vW/hYS9/y2lKI",
            "pbkdf2_sha256$1000$pinsalt1$RsHVID7bGyOkxx/x0WHydrWCKLBaUD1yr68SvcSw8Ug=",
        ]
    }

    /// Issue 9, defect 5: a PIN hasher with a keyring verified a planted hash without `keyid` (it answered
    /// matchedNeedsRehash for the PIN the planter chose).
    @Test func aPINHasherWithAKeyringRefusesUnpepperedHashes() async throws {
        let hasher = try pins()
        for stored in try await unpepperedPINHashes() {
            #expect(try StoredHash(parsing: stored).pepperKeyID == nil)
            await #expect(throws: HashingError.unpepperedPINHash, "\(stored)") {
                try await hasher.verify("482913", against: stored)
            }
            await #expect(throws: HashingError.unpepperedPINHash) { try await hasher.verify("000000", against: stored) }
        }
        // Passwords are not affected: an unpeppered password hash still verifies (and needs a rehash).
        let passwords = try PasswordHasher(for: .password, algorithm: .argon2(testArgon2), keyring: testKeyring(), pool: testPool)
        let unpeppered = try await unpepperedPINHashes()[0]
        #expect(try await passwords.verify("482913", against: unpeppered) == .matchedNeedsRehash)
        #expect(HashingError.unpepperedPINHash.description.contains("allowUnpepperedPINs"))
    }

    /// The documented migration: the keyring plus the explicit opt-out verifies an unpeppered PIN hash as needing a
    /// rehash, and the rehash is peppered, which the hasher without the opt-out then accepts.
    @Test func theOptOutMigratesUnpepperedPINHashes() async throws {
        let migrating = try PasswordHasher(
            for: .pin, algorithm: .argon2(testArgon2), keyring: testKeyring(), allowUnpepperedPINs: true, pool: testPool)
        #expect(migrating.allowUnpepperedPINs)
        for stored in try await unpepperedPINHashes() {
            #expect(try await migrating.verify("482913", against: stored) == .matchedNeedsRehash, "\(stored)")
            #expect(try await migrating.verify("482914", against: stored) == .mismatch)
        }
        let rehashed = try await migrating.hash("482913")
        #expect(rehashed.contains(",keyid=k2$"))
        #expect(try await pins().verify("482913", against: rehashed) == .matched)
    }

    @Test func retiredPepperVerifiesAndNeedsRehash() async throws {
        let old = try pins(keyring: testKeyring(current: "k1", retired: []))
        let stored = try await old.hash("482913")
        let rotated = try pins(keyring: testKeyring(current: "k2", retired: ["k1"]))
        #expect(try await rotated.verify("482913", against: stored) == .matchedNeedsRehash)
        #expect(try rotated.needsRehash(stored))
        let fresh = try await rotated.hash("482913")
        #expect(try await rotated.verify("482913", against: fresh) == .matched)
    }

    @Test func unknownPepperKeyAndMissingKeyringAreErrors() async throws {
        let stored = try await pins(keyring: testKeyring(current: "k9", retired: [])).hash("482913")
        await #expect(throws: HashingError.unknownPepperKey(id: "k9")) {
            try await self.pins().verify("482913", against: stored)
        }
        let noKeyring = try PasswordHasher(for: .password, algorithm: .argon2(testArgon2), keyring: nil, pool: testPool)
        await #expect(throws: HashingError.noKeyring) { try await noKeyring.verify("482913", against: stored) }
    }

    @Test func parameterChangesNeedRehash() async throws {
        let stored = try await pins().hash("482913")
        var stronger = testArgon2
        stronger.iterations = 2
        let upgraded = try pins(.argon2(stronger))
        #expect(try await upgraded.verify("482913", against: stored) == .matchedNeedsRehash)
        var otherVariant = testArgon2
        otherVariant.variant = .argon2i
        #expect(try pins(.argon2(otherVariant)).needsRehash(stored))
        var longerTag = testArgon2
        longerTag.tagLength = 64
        #expect(try pins(.argon2(longerTag)).needsRehash(stored))
        #expect(try pins(.pbkdf2(.init(hash: .sha256, iterations: 10))).needsRehash(stored))
    }

    @Test func pbkdf2PolicyWithPepper() async throws {
        let hasher = try pins(.pbkdf2(.init(hash: .sha512, iterations: 1000)))
        let stored = try await hasher.hash("482913")
        #expect(stored.hasPrefix("$pbkdf2-sha512$i=1000,keyid=k2$"))
        #expect(try await hasher.verify("482913", against: stored) == .matched)
        #expect(try await hasher.verify("000000", against: stored) == .mismatch)
        // The pepper enters PBKDF2 as HMAC(pepper, PIN): the plain PBKDF2 of the PIN must differ.
        let parsed = try StoredHash(parsing: stored)
        let plain = try PBKDF2.deriveKey(
            password: Array("482913".utf8), salt: parsed.salt, hash: .sha512, iterations: 1000, keyLength: 64)
        #expect(plain != parsed.output)
    }

    @Test func associatedDataIsBoundAndWritten() async throws {
        let hasher = try PasswordHasher(
            for: .pin, algorithm: .argon2(testArgon2), keyring: testKeyring(), associatedData: Array("acct-42".utf8),
            pool: testPool)
        let stored = try await hasher.hash("482913")
        #expect(stored.contains(",data=YWNjdC00Mg$"))
        #expect(try await hasher.verify("482913", against: stored) == .matched)
        #expect(try await pins().verify("482913", against: stored) == .matchedNeedsRehash)
        let swapped = stored.replacingOccurrences(of: "data=YWNjdC00Mg", with: "data=YWNjdC00Mw")
        #expect(try await hasher.verify("482913", against: swapped) == .mismatch)
    }

    @Test func secretsAreBounded() async throws {
        let hasher = try pins()
        await #expect(throws: HashingError.emptySecret) { try await hasher.hash("") }
        await #expect(throws: HashingError.secretTooLong(maximum: 64)) {
            try await hasher.hash(String(repeating: "1", count: 1_000_000))
        }
        let stored = try await hasher.hash("482913")
        await #expect(throws: HashingError.secretTooLong(maximum: 64)) {
            try await hasher.verify(String(repeating: "1", count: 65), against: stored)
        }
        let passwords = try PasswordHasher(for: .password, algorithm: .argon2(testArgon2), keyring: nil, pool: testPool)
        _ = try await passwords.hash(String(repeating: "p", count: 1024))
        await #expect(throws: HashingError.secretTooLong(maximum: 1024)) {
            try await passwords.hash(String(repeating: "p", count: 1025))
        }
    }

    @Test func invalidPoliciesAndKeysAreRefused() throws {
        #expect(throws: HashingError.self) {
            try PasswordHasher(for: .password, algorithm: .argon2(.init(memoryKiB: 4, iterations: 1, parallelism: 1)), keyring: nil)
        }
        #expect(throws: HashingError.self) {
            try PasswordHasher(for: .password, algorithm: .argon2(.init(version: .v10, memoryKiB: 64, iterations: 1, parallelism: 1)), keyring: nil)
        }
        #expect(throws: HashingError.self) { try PepperKey(id: "k1", secret: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: HashingError.self) { try PepperKey(id: "k-1", secret: [UInt8](repeating: 1, count: 32)) }
        #expect(throws: HashingError.self) { try PepperKey(id: "", secret: [UInt8](repeating: 1, count: 32)) }
        let key = try PepperKey(id: "k1", secret: [UInt8](repeating: 1, count: 32))
        #expect(throws: HashingError.self) { try PepperKeyring(current: key, retired: [key]) }
        #expect(!"\(key)".contains("0101"))
    }

    @Test func errorMessagesNeverCarryTheSecret() async throws {
        let hasher = try pins()
        do {
            _ = try await hasher.verify("482913", against: "$argon2id$v=19$m=64,t=1,p=1$482913$482913")
            Issue.record("a malformed hash verified")
        } catch {
            // The hash string is not secret, but the PIN must never appear in what is reported about it.
            let stored = "\(error)".replacingOccurrences(of: "$482913$482913", with: "")
            #expect(!stored.contains("482913") || "\(error)".contains("hash"))
        }
    }
}
