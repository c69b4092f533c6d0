import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct HOTPTests {
        /// RFC 4226 Appendix D: HOTP-SHA1, 6 digits, counters 0–9, secret "12345678901234567890".
        static let appendixD = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

        @Test func rfc4226AppendixD() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            for (counter, expected) in Self.appendixD.enumerated() {
                #expect(try hotp.code(counter: UInt64(counter)) == expected)
                #expect(try hotp.match(expected, counter: UInt64(counter)) == OTPMatch(counter: UInt64(counter), drift: 0))
            }
        }

        @Test func longerHashesAsHOTPMatchRFC6238() throws {
            // RFC 6238 Appendix B at T = 59 s is counter 1 with 8 digits.
            #expect(try HOTP(secret: RFCSecrets.sha256, hash: .sha256, digits: 8).code(counter: 1) == "46119246")
            #expect(try HOTP(secret: RFCSecrets.sha512, hash: .sha512, digits: 8).code(counter: 1) == "90693936")
        }

        @Test func keysLongerThanTheBlockAreHashedFirst() throws {
            // RFC 2104 §2: a 200-byte key equals its SHA-1 digest as a key. Compare against the one-shot HMAC.
            let long = [UInt8](repeating: 0xa5, count: 200)
            let hotp = try HOTP(secret: long, digits: 8)
            var message = [UInt8](repeating: 0, count: 8)
            message[7] = 3
            let mac = try HMAC.authenticationCode(for: message, using: long, hash: .sha1)
            let offset = Int(mac[19] & 0x0f)
            let binary = (UInt32(mac[offset] & 0x7f) << 24) | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
                | UInt32(mac[offset + 3])
            #expect(try hotp.code(counter: 3) == HOTP.format(binary % 100_000_000, digits: 8))
        }

        @Test func lookAheadFindsDriftAndStopsAtItsEdge() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            #expect(try hotp.match(Self.appendixD[7], counter: 2, lookAhead: 5) == OTPMatch(counter: 7, drift: 5))
            #expect(try hotp.match(Self.appendixD[8], counter: 2, lookAhead: 5) == nil)
            #expect(try hotp.match(Self.appendixD[1], counter: 2, lookAhead: 5) == nil)
        }

        @Test func refusesDigitsOutsideSixToEight() {
            #expect(throws: OTPError.digitsOutOfRange(5)) { try HOTP(secret: RFCSecrets.sha1, digits: 5) }
            #expect(throws: OTPError.digitsOutOfRange(9)) { try HOTP(secret: RFCSecrets.sha1, digits: 9) }
            #expect(throws: OTPError.digitsOutOfRange(0)) { try HOTP(secret: RFCSecrets.sha1, digits: 0) }
        }

        @Test func refusesSecretsOutsideTheBounds() throws {
            #expect(throws: OTPError.secretLength(minimum: 10, maximum: 1024)) { try HOTP(secret: [UInt8](repeating: 1, count: 9)) }
            #expect(throws: OTPError.secretLength(minimum: 10, maximum: 1024)) { try HOTP(secret: [UInt8]()) }
            #expect(throws: OTPError.secretLength(minimum: 10, maximum: 1024)) { try HOTP(secret: [UInt8](repeating: 1, count: 1025)) }
            _ = try HOTP(secret: [UInt8](repeating: 1, count: 10))
        }

        @Test func malformedCodesMatchNothing() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            for code in ["75522", "7552244", "75522a", "", "-55224", "７５５２２４", String(repeating: "7", count: 100)] {
                #expect(try hotp.match(code, counter: 0, lookAhead: 3) == nil)
            }
            #expect(try hotp.match("755 224", counter: 0) == OTPMatch(counter: 0, drift: 0))
        }

        @Test func countersNearTheTopDoNotOverflow() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            let top = UInt64.max
            let last = try hotp.code(counter: top)
            #expect(try hotp.match(last, counter: top - 2, lookAhead: 10) == OTPMatch(counter: top, drift: 2))
            #expect(try hotp.match(last, counter: top, lookAhead: 1000) == OTPMatch(counter: top, drift: 0))
            let beforeLast = try hotp.code(counter: top - 1)
            #expect(try hotp.resynchronize(first: beforeLast, second: last, counter: top - 5, lookAhead: 100)
                == OTPMatch(counter: top, drift: 5))
            #expect(try hotp.resynchronize(first: last, second: beforeLast, counter: top, lookAhead: 100) == nil)
        }

        @Test func resynchronisationNeedsTwoConsecutiveCodes() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            let codes = try (0..<60).map { try hotp.code(counter: UInt64($0)) }
            #expect(try hotp.resynchronize(first: codes[40], second: codes[41], counter: 0, lookAhead: 50)
                == OTPMatch(counter: 41, drift: 41))
            #expect(try hotp.resynchronize(first: codes[40], second: codes[42], counter: 0, lookAhead: 50) == nil)
            #expect(try hotp.resynchronize(first: codes[41], second: codes[40], counter: 0, lookAhead: 50) == nil)
            #expect(try hotp.resynchronize(first: codes[55], second: codes[56], counter: 0, lookAhead: 50) == nil)
        }

        @Test func refusesLookAheadOutOfRange() throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            #expect(throws: OTPError.windowOutOfRange(maximum: HOTP.maximumLookAhead)) {
                try hotp.match("755224", counter: 0, lookAhead: -1)
            }
            #expect(throws: OTPError.windowOutOfRange(maximum: HOTP.maximumLookAhead)) {
                try hotp.match("755224", counter: 0, lookAhead: HOTP.maximumLookAhead + 1)
            }
        }

        @Test func windowSearchAgreesWithSingleCodesAcrossHashesAndDigits() throws {
            for hash in HashFunction.allCases {
                for digits in 6...8 {
                    let secret = (0..<hash.digestSize).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ digits) }
                    let hotp = try HOTP(secret: secret, hash: hash, digits: digits)
                    for target in stride(from: UInt64(0), to: 40, by: 7) {
                        let code = try hotp.code(counter: target)
                        #expect(code.count == digits)
                        let match = try #require(try hotp.match(code, counter: 0, lookAhead: 40))
                        // A collision at a smaller counter is possible in principle; the match is the first equal code.
                        #expect(try hotp.code(counter: match.counter) == code)
                        #expect(match.counter <= target)
                    }
                }
            }
        }
    }
}
