import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct SealedSecretTests {
        let secret = SecretBytes(RFCSecrets.sha1)

        @Test func roundTrip() throws {
            let keyring = try SealingKeyring(current: try SealingKey.generate(id: "k2026"))
            let sealed = try keyring.seal(secret, account: "acct-1")
            #expect(sealed.hasPrefix("v1.k2026."))
            let opened = try keyring.unseal(sealed, account: "acct-1")
            #expect(ConstantTime.equals(opened.secret, secret))
            #expect(!opened.wasUnderRetiredKey)
            #expect(opened.resealed == nil)
            // A fresh nonce every time: the same secret never seals to the same text.
            #expect(try keyring.seal(secret, account: "acct-1") != sealed)
        }

        @Test func everyFlippedBitIsDetected() throws {
            let keyring = try SealingKeyring(current: try SealingKey.generate(id: "k1"))
            let sealed = try keyring.seal(secret, account: "acct-1")
            let payloadText = String(sealed.dropFirst("v1.k1.".count))
            let payload = try #require(Base64Dialect.phc.decode(payloadText))
            for index in payload.indices {
                for bit in [0, 3, 7] {
                    var altered = payload
                    altered[index] ^= UInt8(1 << bit)
                    let text = "v1.k1." + Base64Dialect.phc.encode(altered)
                    #expect(throws: SealedSecretError.authenticationFailed) { try keyring.unseal(text, account: "acct-1") }
                }
            }
            var truncated = payload
            truncated.removeLast()
            #expect(throws: SealedSecretError.authenticationFailed) {
                try keyring.unseal("v1.k1." + Base64Dialect.phc.encode(truncated), account: "acct-1")
            }
        }

        @Test func theWrongAccountIsRefused() throws {
            let keyring = try SealingKeyring(current: try SealingKey.generate(id: "k1"))
            let sealed = try keyring.seal(secret, account: "acct-1")
            #expect(throws: SealedSecretError.authenticationFailed) { try keyring.unseal(sealed, account: "acct-2") }
            #expect(throws: SealedSecretError.authenticationFailed) { try keyring.unseal(sealed, account: "acct-10") }
        }

        @Test func rotationResealsUnderTheCurrentKey() throws {
            let old = try SealingKey.generate(id: "old")
            let new = try SealingKey.generate(id: "new")
            let sealedOld = try SealingKeyring(current: old).seal(secret, account: "a")
            let rotated = try SealingKeyring(current: new, retired: [old])
            let opened = try rotated.unseal(sealedOld, account: "a")
            #expect(opened.wasUnderRetiredKey)
            #expect(ConstantTime.equals(opened.secret, secret))
            let resealed = try #require(opened.resealed)
            #expect(resealed.hasPrefix("v1.new."))
            let again = try rotated.unseal(resealed, account: "a")
            #expect(!again.wasUnderRetiredKey)
            #expect(ConstantTime.equals(again.secret, secret))
            // Once the old key is dropped, only the re-sealed text opens.
            let final = try SealingKeyring(current: new)
            #expect(throws: SealedSecretError.unknownKeyID) { try final.unseal(sealedOld, account: "a") }
            #expect(try final.unseal(resealed, account: "a").resealed == nil)
            // A key id swapped in the text does not open under the other key.
            let swapped = "v1.new." + sealedOld.dropFirst("v1.old.".count)
            #expect(throws: SealedSecretError.authenticationFailed) { try rotated.unseal(swapped, account: "a") }
        }

        @Test func malformedTextIsRefused() throws {
            let keyring = try SealingKeyring(current: try SealingKey.generate(id: "k1"))
            let good = try keyring.seal(secret, account: "a")
            #expect(throws: SealedSecretError.unsupportedVersion) { try keyring.unseal("v2" + good.dropFirst(2), account: "a") }
            #expect(throws: SealedSecretError.malformed("no version")) { try keyring.unseal("x" + good.dropFirst(2), account: "a") }
            #expect(throws: SealedSecretError.malformed("expected v1.<key id>.<payload>")) { try keyring.unseal("v1.k1", account: "a") }
            #expect(throws: SealedSecretError.malformed("expected v1.<key id>.<payload>")) { try keyring.unseal(good + ".x", account: "a") }
            #expect(throws: SealedSecretError.malformed("bad key id")) { try keyring.unseal("v1.k 1.AAAA", account: "a") }
            #expect(throws: SealedSecretError.malformed("the payload is not base64")) { try keyring.unseal("v1.k1.!!!!", account: "a") }
            #expect(throws: SealedSecretError.malformed("the payload has a wrong length")) { try keyring.unseal("v1.k1.AAAA", account: "a") }
            #expect(throws: SealedSecretError.malformed("too long")) {
                try keyring.unseal("v1.k1." + String(repeating: "A", count: 3000), account: "a")
            }
            #expect(throws: SealedSecretError.invalidLength) { try keyring.unseal(good, account: "") }
            #expect(throws: SealedSecretError.invalidLength) { try keyring.seal([UInt8](), account: "a") }
        }

        @Test func keysAndKeyringsAreChecked() throws {
            #expect(throws: SealedSecretError.invalidKeyLength) { try SealingKey(id: "k", key: SecretBytes([1, 2, 3])) }
            #expect(throws: SealedSecretError.invalidKeyID) { try SealingKey.generate(id: "a.b") }
            #expect(throws: SealedSecretError.invalidKeyID) { try SealingKey.generate(id: "") }
            let key = try SealingKey.generate(id: "same")
            #expect(throws: SealedSecretError.duplicateKeyID) { try SealingKeyring(current: key, retired: [key]) }
            #expect("\(key)" == "SealingKey(same)")
        }
    }
}
