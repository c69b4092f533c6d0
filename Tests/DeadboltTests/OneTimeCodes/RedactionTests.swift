import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    /// No error, outcome or secret-holding value prints the secret or the code it was given.
    @Suite struct RedactionTests {
        static let secretBase32 = "JBSWY3DPEHPK3PXP"
        static let secretHex = "48656c6c6f21deadbeef"

        func assertClean(_ text: String, _ needles: [String], _ comment: Comment? = nil) {
            for needle in needles {
                #expect(!text.lowercased().contains(needle.lowercased()), comment)
            }
        }

        @Test func uriErrorsNeverHoldTheSecret() {
            let cases = OneTimeCodesTests.OTPAuthURITests.malformed.map(\.0) + [
                "otpauth://totp/JBSWY3DPEHPK3PXP?secret=JBSWY3DPEHPK3PXP&JBSWY3DPEHPK3PXP",
                "otpauth://totp/b?secret=JBSWY3DPEHPK3PX0",
            ]
            for text in cases {
                do {
                    _ = try OTPAuthURI.parse(text)
                } catch {
                    assertClean("\(error)", [Self.secretBase32, Self.secretHex], "\(text)")
                }
            }
        }

        @Test func otpErrorsAndValuesNeverHoldTheSecretOrCode() throws {
            let secret = try #require(Base32.decode(Self.secretBase32))
            let totp = try TOTP(secret: secret)
            let code = try totp.code(at: 1_000_000_000)
            var texts: [String] = []
            for attempt in [{ _ = try TOTP(secret: secret, digits: 9) }, { _ = try totp.match(code, at: 5, window: OTPWindow(past: -1, future: 0)) },
                { _ = try TOTP(secret: secret, t0: 10).code(at: 1) }, { _ = try HOTP(secret: secret.prefix(5)) }]
            {
                do { try attempt() } catch { texts.append("\(error)") }
            }
            #expect(texts.count == 4)
            let uri = try OTPAuthURI(kind: .totp(period: 30), issuer: "I", accountName: "a", secret: SecretBytes(secret))
            texts += ["\(uri)", String(reflecting: uri), "\(SecretBytes(secret))", "\(uri.compatibilityWarnings)"]
            for text in texts { assertClean(text, [Self.secretBase32, Self.secretHex, code]) }
        }

        @Test func sealingErrorsAndKeysNeverHoldTheSecret() throws {
            let keyMaterial = SecretBytes([UInt8](repeating: 0xab, count: 32))
            let key = try SealingKey(id: "k1", key: keyMaterial)
            let keyring = try SealingKeyring(current: key)
            let secret = try #require(Base32.decode(Self.secretBase32))
            let sealed = try keyring.seal(secret, account: "a")
            var texts = ["\(key)", "\(try CodeHashingKey(keyMaterial))"]
            for attempt in [{ _ = try keyring.unseal(sealed, account: "b") }, { _ = try keyring.unseal(sealed + "A", account: "a") },
                { _ = try keyring.unseal("v9" + sealed.dropFirst(2), account: "a") }]
            {
                do { try attempt() } catch { texts.append("\(error)") }
            }
            #expect(texts.count == 5)
            for text in texts { assertClean(text, [Self.secretBase32, Self.secretHex, String(repeating: "ab", count: 8), sealed]) }
        }

        @Test func outcomesNeverHoldTheCode() async throws {
            let store = InMemoryStateStore(clock: ManualClock())
            let delivery = RecordingDelivery()
            let key = try testHashingKey()
            let sender = try IssuedCodeSender(store: store, delivery: delivery, hashingKey: key)
            _ = try await sender.issue(account: "alice", purpose: .signInStepUp, binding: [1])
            let code = try #require(await delivery.lastCode)
            let verifier = OneTimeCodeVerifier(store: store, hashingKey: key)
            var texts: [String] = []
            texts.append("\(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: [2]))")
            texts.append("\(try await verifier.verifyIssuedCode(code, account: "alice", purpose: .signInStepUp, binding: [1]))")
            for text in texts { assertClean(text, [code]) }
        }
    }
}
