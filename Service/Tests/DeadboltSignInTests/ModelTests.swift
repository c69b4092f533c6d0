import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct ModelTests {
    @Test func emailsAreTrimmedNFCNormalizedWithTheDomainLowerCasedAndComparedCaseInsensitively() throws {
        let email = try EmailAddress("  Zoe.Smith@Example.ORG\n")
        #expect(email.address == "Zoe.Smith@example.org")
        #expect(email.comparisonKey == "zoe.smith@example.org")
        #expect(email.masked == "Z•••@example.org")
        // "é" as e + combining acute (NFD) and as one scalar (NFC) are one address.
        #expect(try EmailAddress("re\u{301}my@example.com") == EmailAddress("r\u{e9}my@example.com"))
        let longest = String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 61)
        #expect(longest.utf8.count == 254)
        _ = try EmailAddress(longest)
        #expect(throws: SignInError.invalidEmail("it is longer than 254 bytes")) { _ = try EmailAddress(longest + "d") }
        #expect(throws: SignInError.self) { _ = try EmailAddress(String(repeating: "x", count: 65) + "@example.com") }
        #expect(throws: SignInError.self) { _ = try EmailAddress(String(repeating: "x", count: 1_000_000)) }
    }

    @Test func networksAreSlash16ForIPv4AndSlash48ForIPv6() throws {
        #expect(try NetworkAddress("203.0.113.77").network.text == "203.0.0.0/16")
        #expect(try NetworkAddress("::ffff:203.0.113.77").network.text == "203.0.0.0/16")
        #expect(try NetworkAddress("2001:db8:abcd:12::1").network.text == "2001:db8:abcd::/48")
        #expect(try NetworkAddress("2001:0db8:abcd:0012:0000:0000:0000:0001").description == "2001:db8:abcd:12::1")
        for bad in ["", "999.1.1.1", "1.2.3", "fe80::1%eth0", "localhost", String(repeating: "1", count: 100)] {
            #expect(throws: SignInError.self) { _ = try NetworkAddress(bad) }
        }
    }

    @Test func bearerTokensAre256BitsOfBase64URLAndPrintRedacted() throws {
        let token = try SessionToken.random()
        #expect(token.text.utf8.count == 43)
        #expect(SessionToken(text: token.text) == token)
        #expect("\(token)" == "SessionToken(redacted)")
        #expect(SessionToken(text: String(token.text.dropLast())) == nil)
        #expect(SessionToken(text: String(repeating: "+", count: 43)) == nil)
        #expect(SessionToken(text: String(repeating: "A", count: 1_000_000)) == nil)
    }

    @Test func theShippedBlocklistIsLoadedAndSearched() throws {
        let list = PasswordBlocklist.shipped
        #expect(list.count == 351)
        #expect(list.contains("1qaz2wsx3edc"))
        #expect(list.contains("123qweasdzxc"))
        #expect(!list.contains("correct horse battery staple"))
        let small = PasswordBlocklist(entries: ["Ｐａｓｓｗｏｒｄ１２３４５６"])
        #expect(small.contains("password123456"), "entries are NFKC-normalized and lower-cased")
        #expect(throws: SignInError.self) { _ = try PasswordBlocklist(sortedHashes: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: SignInError.self) { _ = try PasswordBlocklist(sortedHashes: [1, 2, 3]) }
    }

    @Test func passwordsAreNFKCNormalizedBeforeHashing() async throws {
        let hasher = try PasswordHasher(for: .password, algorithm: Harness.small, keyring: nil)
        let stored = try await hasher.hash(PasswordPolicy.normalized("ﬁne Ｗｉｄｅ passphrase"))
        #expect(try await hasher.verify(PasswordPolicy.normalized("fine Wide passphrase"), against: stored) == .matched)
    }

    @Test func theConfigurationRefusesValuesOutOfRange() {
        #expect(throws: SignInError.self) { try SignInConfiguration(notMeURL: "https://x.example/not-me?token=1").validate() }
        #expect(throws: SignInError.self) { try SignInConfiguration(issuedCodes: IssuedCodePolicy(lifetime: .seconds(601))).validate() }
        #expect(throws: SignInError.self) { try SignInConfiguration(sessionIdleTimeout: .seconds(13 * 3600)).validate() }
        #expect(throws: SignInError.self) { try SignInConfiguration(pinLockout: .init(purpose: "password")).validate() }
        #expect(throws: Never.self) { try SignInConfiguration().validate() }
    }
}

@Suite struct RedactionTests {
    @Test func noticesAndProofsPrintNoCode() {
        #expect("\(Notice.signInCode(code: "482913"))" == "Notice.signInCode")
        #expect("\(Notice.alreadyRegistered)" == "Notice.alreadyRegistered")
        #expect(!"\(SecondFactorProof.recoveryCode("ABCD-EFGH-JKLMN"))".contains("ABCD"))
        #expect(!"\([Notice.recoveryCode(code: "482913", resetting: .pin)])".contains("482913"))
    }

    @Test func renderedMessagesAndRecordsPrintNoCodeHashOrPayload() throws {
        let rendered = NoticeRenderer(serviceName: "Deadbolt", notMeURL: "https://deadbolt.example/not-me").render(.signInCode(code: "482913"))
        #expect(rendered.shortText.contains("482913"), "the transport still gets the code")
        for text in ["\(rendered)", String(reflecting: rendered), "\([rendered])"] {
            #expect(!text.contains("482913"))
        }
        let hash = "$argon2id$v=19$m=8,t=1,p=1,keyid=test$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo"
        let account = AccountRecord(
            id: try AccountID.random(), email: try EmailAddress("kim@example.com"), state: .active, passwordHash: hash, pinHash: hash,
            credentialVersion: 3, sealedPhone: "v1.test.c2VhbGVk", phoneLastFour: "0143", devicesRevokedAt: nil,
            createdAt: Timestamp(millisecondsSinceEpoch: 0), credentialsChangedAt: nil)
        for text in ["\(account)", String(reflecting: account), "\([account])"] {
            #expect(!text.contains("aGFzaGhhc2hoYXNo") && !text.contains("c2VhbGVk"))
        }
        let step = StepRecord(
            digest: try #require(TokenDigest(bytes: [UInt8](repeating: 1, count: 32))), flow: try FlowID.random(), flowKind: .signUp,
            step: .confirmEmail, account: nil, emailKey: "kim@example.com", previous: nil,
            browser: try #require(TokenDigest(bytes: [UInt8](repeating: 2, count: 32))), address: nil,
            createdAt: Timestamp(millisecondsSinceEpoch: 0), expiresAt: Timestamp(millisecondsSinceEpoch: 1), consumedAt: nil,
            payload: #"{"email":"kim@example.com","pendingPasswordHash":"\#(hash)"}"#)
        for text in ["\(step)", String(reflecting: step)] {
            #expect(!text.contains("aGFzaGhhc2hoYXNo"))
        }
    }
}
