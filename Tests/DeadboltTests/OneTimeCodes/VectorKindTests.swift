import DeadboltVectors
import Foundation
import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    /// The OTP vector kinds, run on objects built here from RFC 4226 Appendix D and RFC 6238 Appendix B.
    @Suite struct VectorKindTests {
        static let empty = VectorObject([:])
        static let rfcSecretHex = Hex.encode(RFCSecrets.sha1)

        func hotp(_ result: String, counter: JSONValue, digits: UInt64 = 6, expected: String, secret: String = rfcSecretHex)
            throws -> VectorVerdict
        {
            let test = VectorObject([
                "tcId": .integer(1), "result": .string(result), "secret": .string(secret), "counter": counter,
                "digits": .integer(digits), "hash": .string("SHA1"), "expected": .string(expected), "comment": .string("x"),
            ])
            return try HotpTest().run(test: test, group: Self.empty, file: Self.empty)
        }

        @Test func hotpKind() throws {
            #expect(try hotp("valid", counter: .integer(9), expected: "520489") == .passed)
            #expect(try hotp("valid", counter: .string("9"), expected: "520489") == .passed)
            #expect(try hotp("valid", counter: .integer(9), expected: "520488") == .failed("wrong answer"))
            #expect(try hotp("invalid", counter: .integer(9), digits: 5, expected: "20489") == .passed)
            #expect(try hotp("valid", counter: .integer(9), digits: 5, expected: "20489") == .failed("refused a valid test"))
            #expect(try hotp("invalid", counter: .integer(0), expected: "755224", secret: "0102") == .passed)
            #expect(try hotp("acceptable", counter: .integer(0), expected: "755224") == .passed)
            #expect(throws: VectorError.self) { try hotp("valid", counter: .string("-1"), expected: "755224") }
        }

        @Test func totpKind() throws {
            func run(_ result: String, time: JSONValue, period: UInt64 = 30, t0: JSONValue = .integer(0), expected: String)
                throws -> VectorVerdict
            {
                let test = VectorObject([
                    "tcId": .integer(1), "result": .string(result), "secret": .string(Self.rfcSecretHex), "time": time,
                    "period": .integer(period), "t0": t0, "digits": .integer(8), "hash": .string("SHA1"),
                    "expected": .string(expected),
                ])
                return try TotpTest().run(test: test, group: Self.empty, file: Self.empty)
            }
            #expect(try run("valid", time: .integer(59), expected: "94287082") == .passed)
            #expect(try run("valid", time: .string("20000000000"), expected: "65353130") == .passed)
            #expect(try run("valid", time: .integer(59), expected: "94287083") == .failed("wrong answer"))
            #expect(try run("invalid", time: .integer(59), period: 0, expected: "94287082") == .passed)
            #expect(try run("invalid", time: .integer(59), t0: .integer(60), expected: "94287082") == .passed)
        }

        @Test func otpauthUriKind() throws {
            func run(_ result: String, _ uri: String, expected: [String: JSONValue]?) throws -> VectorVerdict {
                var fields: [String: JSONValue] = ["tcId": .integer(1), "result": .string(result), "uri": .string(uri)]
                if let expected { fields["expected"] = .object(expected) }
                return try OtpauthUriTest().run(test: VectorObject(fields), group: Self.empty, file: Self.empty)
            }
            let totp: [String: JSONValue] = [
                "type": .string("totp"), "issuer": .string("Example"), "accountName": .string("alice@google.com"),
                "secret": .string("48656c6c6f21deadbeef"), "algorithm": .string("SHA1"), "digits": .integer(6),
                "period": .integer(30), "counter": .null, "note": .string("ignored"),
            ]
            let uri = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            #expect(try run("valid", uri, expected: totp) == .passed)
            var wrong = totp
            wrong["digits"] = .integer(8)
            #expect(try run("valid", uri, expected: wrong) == .failed("wrong answer"))
            #expect(try run("acceptable", uri, expected: wrong) == .failed("accepted with a wrong answer"))
            #expect(try run("invalid", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5", expected: nil) == .passed)
            #expect(try run("invalid", uri, expected: nil) == .failed("accepted an invalid test"))
            #expect(try run("acceptable", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5", expected: totp) == .passed)
            let hotp: [String: JSONValue] = [
                "type": .string("hotp"), "issuer": .null, "accountName": .string("bob"),
                "secret": .string("48656c6c6f21deadbeef"), "algorithm": .string("SHA256"), "digits": .integer(8),
                "period": .null, "counter": .string("18446744073709551615"),
            ]
            #expect(try run("valid", "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&counter=18446744073709551615", expected: hotp) == .passed)
        }

        @Test func theRunnerKnowsTheKinds() {
            let types = Set(VectorRunner.standardKinds.map(\.groupType))
            #expect(types.isSuperset(of: ["HotpTest", "TotpTest", "OtpauthUriTest"]))
        }

        @Test func theRunnerRunsAFileOfEachKind() async throws {
            // RFC 4226 Appendix D counter 0, RFC 6238 Appendix B T = 59 (SHA-512), and an invalid URI.
            let json = """
                {"algorithm": "OTP", "testGroups": [
                  {"type": "HotpTest", "tests": [
                    {"tcId": 1, "result": "valid", "secret": "\(Self.rfcSecretHex)", "counter": 0, "digits": 6,
                     "hash": "SHA1", "expected": "755224"}]},
                  {"type": "TotpTest", "tests": [
                    {"tcId": 2, "result": "valid", "secret": "\(Hex.encode(RFCSecrets.sha512))", "time": 59,
                     "period": 30, "t0": 0, "digits": 8, "hash": "SHA512", "expected": "90693936"}]},
                  {"type": "OtpauthUriTest", "tests": [
                    {"tcId": 3, "result": "invalid", "uri": "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0"}]}
                ]}
                """
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("deadbolt-otp-vectors-\(UInt64.random(in: 0...UInt64.max)).json").path
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let report = await VectorRunner().run(path: path)
            #expect(report.error == nil)
            #expect(report.passed == 3)
            #expect(report.failed == 0)
        }
    }
}
