import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct OTPAuthURITests {
        static let secret = "JBSWY3DPEHPK3PXP"  // Key-Uri-Format's example secret, 80 bits

        @Test func parsesTheKeyUriFormatExample() throws {
            let uri = try OTPAuthURI.parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
            #expect(uri.kind == .totp(period: 30))
            #expect(uri.issuer == "Example")
            #expect(uri.accountName == "alice@google.com")
            #expect(Array(uri.secret.withUnsafeBytes { Array($0) }) == Base32.decode(Self.secret))
            #expect(uri.algorithm == .sha1)
            #expect(uri.digits == 6)
            #expect(uri.compatibilityWarnings.isEmpty)
        }

        @Test func roundTrips() throws {
            let secret = try OTPSecret.generate(for: .sha256)
            #expect(secret.count == 32)
            let names = [("ACME Co", "john.doe@email.com"), ("Ünïcødé & Söns/?#", "a b+c%d"), ("x", "y")]
            for (issuer, account) in names {
                let built = try OTPAuthURI(
                    kind: .totp(period: 60), issuer: issuer, accountName: account, secret: secret, algorithm: .sha256,
                    digits: 8)
                #expect(try OTPAuthURI.parse(built.uri) == built)
                let hotp = try OTPAuthURI(
                    kind: .hotp(counter: .max), issuer: nil, accountName: account, secret: secret, image: "https://x/y.png?a=b")
                #expect(try OTPAuthURI.parse(hotp.uri) == hotp)
                #expect(!hotp.uri.contains("period"))
            }
        }

        @Test func newTOTPGeneratesAHashSizedSecretAndCanonicalURI() throws {
            let uri = try OTPAuthURI.newTOTP(issuer: "Deadbolt", accountName: "alice")
            #expect(uri.secret.count == 20)
            #expect(uri.uri.hasPrefix("otpauth://totp/Deadbolt:alice?secret="))
            #expect(uri.uri.hasSuffix("&issuer=Deadbolt&algorithm=SHA1&digits=6&period=30"))
            #expect(!uri.uri.contains("="+"&"))
            #expect(try OTPSecret.generate(for: .sha512).count == 64)
        }

        @Test func lenientWhereAppsAre() throws {
            let uri = try OTPAuthURI.parse(
                "OTPAUTH://TOTP/Big%20Corp:%20%20bob?secret=jbswy3dpehpk3pxp&algorithm=sha512&digits=8&period=60&foo=bar")
            #expect(uri.issuer == "Big Corp")
            #expect(uri.accountName == "bob")
            #expect(uri.algorithm == .sha512)
            #expect(uri.compatibilityWarnings == [.algorithmOftenIgnored(.sha512), .digitsOftenIgnored(8), .periodOftenIgnored(60)])
            let plus = try OTPAuthURI.parse("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp")
            #expect(plus.issuer == "Big Corp")
            #expect(plus.accountName == "bob")
            let noIssuer = try OTPAuthURI.parse("otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=0")
            #expect(noIssuer.issuer == nil)
            #expect(noIssuer.kind == .hotp(counter: 0))
        }

        static let malformed: [(String, OTPAuthURIError)] = [
            ("otpauth://totp/" + String(repeating: "a", count: 2100), .tooLong(maximum: 2048)),
            ("https://totp/a?secret=JBSWY3DPEHPK3PXP", .malformed("the scheme must be otpauth://")),
            ("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP#x", .malformed("a fragment is not allowed")),
            ("otpauth://totp?secret=JBSWY3DPEHPK3PXP", .malformed("no label after the type")),
            ("otpauth://motp/a?secret=JBSWY3DPEHPK3PXP", .unknownType),
            ("otpauth://totp/a%zz?secret=JBSWY3DPEHPK3PXP", .badPercentEncoding),
            ("otpauth://totp/a%C3?secret=JBSWY3DPEHPK3PXP", .badPercentEncoding),
            ("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP%4", .badPercentEncoding),
            ("otpauth://totp/?secret=JBSWY3DPEHPK3PXP", .missingAccountName),
            ("otpauth://totp/Issuer:?secret=JBSWY3DPEHPK3PXP", .missingAccountName),
            ("otpauth://totp/a:b:c?secret=JBSWY3DPEHPK3PXP", .colonInName),
            ("otpauth://totp/:b?secret=JBSWY3DPEHPK3PXP", .invalidIssuer),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&issuer=", .invalidIssuer),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&issuer=a:b", .colonInName),
            ("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B", .issuerMismatch),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP", .duplicateParameter("secret")),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=6&digits=6", .duplicateParameter("digits")),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits", .malformedParameter),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&&digits=6", .malformedParameter),
            ("otpauth://totp/b?=6&secret=JBSWY3DPEHPK3PXP", .malformedParameter),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&counter=1", .parameterNotApplicable("counter")),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP&counter=1&period=30", .parameterNotApplicable("period")),
            ("otpauth://totp/b", .missingSecret),
            ("otpauth://totp/b?issuer=x", .missingSecret),
            ("otpauth://totp/b?secret=", .missingSecret),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PX1", .invalidSecret),
            ("otpauth://totp/b?secret=JBSW=Y3DPEHPK3PXP", .invalidSecret),
            ("otpauth://totp/b?secret=JBSWY3DP", .secretLength(minimum: 10, maximum: 1024)),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", .unknownAlgorithm),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&algorithm=SHA-1", .unknownAlgorithm),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=5", .invalidDigits),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=9", .invalidDigits),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=six", .invalidDigits),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=%2B6", .invalidDigits),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&digits=99999999999999999999999", .invalidDigits),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&period=0", .invalidPeriod),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&period=-30", .invalidPeriod),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&period=30.5", .invalidPeriod),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&period=", .invalidPeriod),
            ("otpauth://totp/b?secret=JBSWY3DPEHPK3PXP&period=86401", .invalidPeriod),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP&counter=-1", .invalidCounter),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP&counter=1e3", .invalidCounter),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551616", .invalidCounter),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP&counter=", .invalidCounter),
            ("otpauth://hotp/b?secret=JBSWY3DPEHPK3PXP", .missingCounter),
        ]

        @Test(arguments: malformed) func refusesMalformedURIs(text: String, error: OTPAuthURIError) {
            #expect(throws: error) { try OTPAuthURI.parse(text) }
        }

        @Test func buildRefusesBadParameters() throws {
            let secret = SecretBytes([UInt8](repeating: 1, count: 20))
            #expect(throws: OTPAuthURIError.colonInName) {
                try OTPAuthURI(kind: .totp(period: 30), issuer: "a:b", accountName: "c", secret: secret)
            }
            #expect(throws: OTPAuthURIError.missingAccountName) {
                try OTPAuthURI(kind: .totp(period: 30), issuer: nil, accountName: "", secret: secret)
            }
            #expect(throws: OTPAuthURIError.invalidPeriod) {
                try OTPAuthURI(kind: .totp(period: 0), issuer: nil, accountName: "c", secret: secret)
            }
            #expect(throws: OTPAuthURIError.invalidDigits) {
                try OTPAuthURI(kind: .totp(period: 30), issuer: nil, accountName: "c", secret: secret, digits: 10)
            }
            #expect(throws: OTPAuthURIError.secretLength(minimum: 10, maximum: 1024)) {
                try OTPAuthURI(kind: .totp(period: 30), issuer: nil, accountName: "c", secret: SecretBytes([1, 2, 3]))
            }
        }

        @Test func descriptionIsRedacted() throws {
            let uri = try OTPAuthURI.parse("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP")
            #expect(!"\(uri)".contains(Self.secret))
            #expect(!String(reflecting: uri).contains(Self.secret))
            #expect("\(uri)".contains("alice"))
        }

        @Test func generatorsFromTheURI() throws {
            let uri = try OTPAuthURI(
                kind: .totp(period: 30), issuer: nil, accountName: "rfc", secret: SecretBytes(RFCSecrets.sha1), digits: 8)
            #expect(try uri.totp()?.code(at: 59) == "94287082")
            #expect(try uri.hotp().code(counter: 1) == "94287082")
        }
    }
}
