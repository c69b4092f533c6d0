import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct TOTPTests {
        /// RFC 6238 Appendix B: 8-digit codes, 30-second period, T0 = 0.
        static let appendixB: [(time: UInt64, sha1: String, sha256: String, sha512: String)] = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ]

        @Test func rfc6238AppendixB() throws {
            let sha1 = try TOTP(secret: RFCSecrets.sha1, hash: .sha1, digits: 8)
            let sha256 = try TOTP(secret: RFCSecrets.sha256, hash: .sha256, digits: 8)
            let sha512 = try TOTP(secret: RFCSecrets.sha512, hash: .sha512, digits: 8)
            for row in Self.appendixB {
                #expect(try sha1.code(at: row.time) == row.sha1)
                #expect(try sha256.code(at: row.time) == row.sha256)
                #expect(try sha512.code(at: row.time) == row.sha512)
                let zero = OTPWindow(past: 0, future: 0)
                #expect(try sha512.match(row.sha512, at: row.time, window: zero)?.drift == 0)
            }
        }

        @Test func timesPastTwoToTheThirtySecond() throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            for time: UInt64 in [1 << 32, (1 << 32) + 29, 1 << 40, UInt64.max] {
                #expect(try totp.code(at: time) == hotp.code(counter: time / 30))
                #expect(try totp.match(try totp.code(at: time), at: time)?.drift == 0)
            }
        }

        @Test func timeZeroWithAPastWindowDoesNotUnderflow() throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let code = try totp.code(at: 0)
            #expect(try totp.match(code, at: 0, window: OTPWindow(past: 5, future: 0)) == OTPMatch(counter: 0, drift: 0))
            #expect(try totp.match(try totp.code(at: 30), at: 0, window: OTPWindow(past: 5, future: 0)) == nil)
            #expect(try totp.match(try totp.code(at: 30), at: 0, window: OTPWindow(past: 5, future: 1))
                == OTPMatch(counter: 1, drift: 1))
        }

        @Test func theLastStepWithAFutureWindowDoesNotOverflow() throws {
            let totp = try TOTP(secret: RFCSecrets.sha1, period: 1)
            let code = try totp.code(at: .max)
            #expect(try totp.match(code, at: .max, window: OTPWindow(past: 1, future: 100)) == OTPMatch(counter: .max, drift: 0))
            #expect(try totp.match(try totp.code(at: .max - 1), at: .max, window: OTPWindow(past: 1, future: 100))
                == OTPMatch(counter: .max - 1, drift: -1))
        }

        @Test func asymmetricWindow() throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let now: UInt64 = 1_000_000_020  // step 33_333_334
            let window = OTPWindow(past: 2, future: 0)
            #expect(try totp.match(try totp.code(at: now - 60), at: now, window: window)?.drift == -2)
            #expect(try totp.match(try totp.code(at: now - 90), at: now, window: window) == nil)
            #expect(try totp.match(try totp.code(at: now + 30), at: now, window: window) == nil)
            #expect(try totp.match(try totp.code(at: now + 30), at: now)?.drift == 1)
            #expect(try totp.match(try totp.code(at: now + 60), at: now) == nil)
        }

        @Test func epochAndPeriod() throws {
            let shifted = try TOTP(secret: RFCSecrets.sha1, digits: 8, period: 30, t0: 1000)
            #expect(try shifted.code(at: 1059) == "94287082")  // RFC 6238 T = 59 shifted by T0
            #expect(try shifted.step(at: 1000) == 0)
            #expect(throws: OTPError.timeBeforeEpoch) { try shifted.code(at: 999) }
            let sixty = try TOTP(secret: RFCSecrets.sha1, digits: 8, period: 60)
            #expect(try sixty.code(at: 119) == "94287082")
            #expect(throws: OTPError.periodOutOfRange(maximum: TOTP.maximumPeriod)) { try TOTP(secret: RFCSecrets.sha1, period: 0) }
            #expect(throws: OTPError.periodOutOfRange(maximum: TOTP.maximumPeriod)) {
                try TOTP(secret: RFCSecrets.sha1, period: TOTP.maximumPeriod + 1)
            }
        }

        @Test func refusesWindowsOutOfRange() throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            for window in [OTPWindow(past: -1, future: 0), OTPWindow(past: 0, future: -1), OTPWindow(past: 101, future: 0)] {
                #expect(throws: OTPError.windowOutOfRange(maximum: TOTP.maximumWindow)) {
                    try totp.match("123456", at: 100, window: window)
                }
            }
        }
    }
}
