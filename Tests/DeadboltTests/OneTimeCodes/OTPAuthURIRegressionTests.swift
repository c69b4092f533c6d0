import Testing

@testable import Deadbolt

/// Inputs the fuzzer (Fuzz/Sources/FuzzOTPAuthURI) found, kept as tests; the input itself is also replayed by
/// scripts/fuzz from Fuzz/regressions/FuzzOTPAuthURI.
@Suite struct OTPAuthURIRegressionTests {
    /// 128 two-byte characters: 256 UTF-8 bytes, the most a name may hold, and 768 characters percent-encoded.
    let longName = String(repeating: "é", count: 128)
    let secret = "JBSWY3DPEHPK3PXP"

    /// The fuzzer's finding: a URI written with raw UTF-8 names parsed, but the URI it builds percent-encodes them
    /// to three times their length, past the 2 KiB bound parsing keeps, so the built URI did not parse back.
    @Test func aURIThatParsesBuildsOneThatParses() throws {
        let raw = "otpauth://totp/\(longName):\(longName)?secret=\(secret)&issuer=\(longName)"
        #expect(raw.utf8.count <= OTPAuthURI.maximumLength)
        #expect(throws: OTPAuthURIError.tooLong(maximum: OTPAuthURI.maximumLength)) { try OTPAuthURI.parse(raw) }
        // Shorter names that fit once encoded still parse and build back.
        let fits = String(repeating: "é", count: 40)
        let parsed = try OTPAuthURI.parse("otpauth://totp/\(fits):\(fits)?secret=\(secret)&issuer=\(fits)")
        #expect(try OTPAuthURI.parse(parsed.uri) == parsed)
    }

    /// The same bound at the source: no URI is made whose text is longer than the bound, by any initialiser.
    @Test func noURIIsMadeLongerThanTheBound() throws {
        let secret = try #require(Base32.decode(secret))
        #expect(throws: OTPAuthURIError.tooLong(maximum: OTPAuthURI.maximumLength)) {
            try OTPAuthURI(kind: .totp(period: 30), issuer: longName, accountName: longName, secret: SecretBytes(secret))
        }
        #expect(throws: OTPAuthURIError.tooLong(maximum: OTPAuthURI.maximumLength)) {
            try OTPAuthURI.newTOTP(issuer: longName, accountName: longName)
        }
        #expect(throws: OTPAuthURIError.tooLong(maximum: OTPAuthURI.maximumLength)) {
            try OTPAuthURI(
                kind: .totp(period: 30), issuer: nil, accountName: "alice", secret: SecretBytes(secret),
                image: "https://example.com/" + String(repeating: "/", count: 700))
        }
        let fits = try OTPAuthURI(
            kind: .hotp(counter: .max), issuer: String(repeating: "a", count: 256),
            accountName: String(repeating: "b", count: 256), secret: SecretBytes([UInt8](repeating: 7, count: 64)),
            image: "https://example.com/" + String(repeating: "i", count: 900))
        #expect(fits.uri.utf8.count <= OTPAuthURI.maximumLength)
        #expect(try OTPAuthURI.parse(fits.uri) == fits)
    }
}
