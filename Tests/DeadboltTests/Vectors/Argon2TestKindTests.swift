import Foundation
import Testing

@testable import Deadbolt
@testable import DeadboltVectors

/// The Argon2Test kinds of Wycheproof-convention files: parameters only, verify only, acceptable, and raw Argon2
/// over RFC 9106's domain; each can fail the way it should.
@Suite struct Argon2TestKindTests {
    /// A valid argon2id v19 string for "password" (salt "somesalt", m=64, t=2, p=1), from argon2-cffi
    /// (`argon2.low_level.hash_secret(b"password", b"somesalt", 2, 64, 1, 32, Type.ID)`).
    static let encoded = "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$FqGkmHNGCd0BRW2kBt6fPZ2pPmyGwwChL8FGUhTOSSI"
    static let tag = "16a1a498734609dd01456da406de9f3d9da93e6c86c300a12fc1465214ce4922"
    static let password = "70617373776f7264"
    static let salt = "736f6d6573616c74"

    func test(_ fields: [String: Any]) -> String {
        var all: [String: Any] = [
            "tcId": 1, "comment": "", "flags": [], "variant": "argon2id", "version": 19, "password": Self.password,
            "salt": Self.salt, "secret": "", "ad": "", "t": 2, "m": 64, "p": 1, "tagLength": 32, "tag": "", "encoded": "",
        ]
        all.merge(fields) { $1 }
        let data = try? JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    func run(_ tests: [String]) async -> VectorRunner.FileReport {
        let json = #"{"algorithm":"ARGON2","testGroups":[{"type":"Argon2Test","tests":["# + tests.joined(separator: ",") + "]}]}"
        return await VectorRunner().run(contents: Data(json.utf8), path: "inline")
    }

    @Test func parametersOnlyInvalidTestsPassWhenComputingIsRefused() async {
        let report = await run([
            test(["m": 15, "p": 2, "result": "invalid"]), test(["salt": "73616c7473616c", "result": "invalid"]),
            test(["tagLength": 3, "result": "invalid"]), test(["t": 0, "result": "invalid"]),
            test(["p": 0, "result": "invalid"]), test(["version": 18, "result": "invalid"]),
        ])
        #expect(report.error == nil && report.passed == 6 && report.failures.isEmpty, "\(report.failures)")
    }

    @Test func parametersOnlyInvalidTestFailsWhenTheParametersAreFine() async {
        let report = await run([test(["result": "invalid"]), test(["result": "acceptable"])])
        #expect(report.passed == 1)
        #expect(report.failures.map(\.reason) == ["accepted an invalid test"])
    }

    @Test func parametersOnlyValidTestIsMalformed() async {
        let report = await run([test(["result": "valid"])])
        #expect(report.failures.first?.reason.hasPrefix("malformed test") == true)
    }

    @Test func verifyOnlyTestsCheckThePasswordAgainstTheString() async {
        let report = await run([
            test(["encoded": Self.encoded, "result": "valid"]),
            test(["encoded": Self.encoded, "password": "70617373776f7265", "result": "invalid"]),
            test(["encoded": Self.encoded, "password": "70617373776f7265", "result": "valid"]),
            test(["encoded": Self.encoded, "result": "invalid"]),
        ])
        #expect(report.passed == 2)
        #expect(report.failures.map(\.reason) == ["wrong answer", "accepted an invalid test"])
    }

    @Test func acceptableStringsMayBeRefusedButAnAcceptedOneMustVerify() async {
        let leadingZero = Self.encoded.replacingOccurrences(of: "$v=19$", with: "$v=019$")
        let report = await run([
            test(["encoded": leadingZero, "tag": Self.tag, "result": "acceptable"]),  // refused: passes
            test(["encoded": Self.encoded, "tag": Self.tag, "result": "acceptable"]),  // accepted and right: passes
            // Accepted, but the password does not verify: the one outcome an acceptable test fails on.
            test(["encoded": Self.encoded, "password": "70617373776f7265", "result": "acceptable"]),
        ])
        #expect(report.passed == 2)
        #expect(report.failures.map(\.reason) == ["accepted with a wrong answer"])
    }

    @Test func rawArgon2TakesRFC9106SizesUpToTheCap() async throws {
        // A 100-byte salt and a 256-byte tag: refused as out of range before the raw function took RFC 9106's
        // domain; the tags here are checked by the shipped argon2_rfc9106_domain_test.json.
        let salt = [UInt8](repeating: 0x5a, count: 100)
        let long = try Argon2.hash(
            password: [UInt8](repeating: 0x70, count: 8), salt: salt,
            parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), tagLength: 256)
        #expect(long.count == 256)
        #expect(throws: HashingError.self) {
            try Argon2.hash(
                password: [UInt8](), salt: [UInt8](repeating: 0, count: Argon2.maximumRawLength + 1),
                parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), tagLength: 32)
        }
        #expect(throws: HashingError.self) {
            try Argon2.hash(
                password: [UInt8](), salt: salt, parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1),
                tagLength: Argon2.maximumRawLength + 1)
        }
        // Every implementation this CPU runs agrees with libargon2 on the wider inputs.
        for implementation in Argon2.Implementation.allCases where implementation.isAvailable {
            let tag = try Argon2.hash(
                password: [UInt8](repeating: 0x70, count: 8), salt: salt, secret: [UInt8](repeating: 1, count: 1024),
                associatedData: [UInt8](repeating: 2, count: 1024),
                parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), tagLength: 1024,
                implementation: implementation)
            let reference = try Argon2.hash(
                password: [UInt8](repeating: 0x70, count: 8), salt: salt, secret: [UInt8](repeating: 1, count: 1024),
                associatedData: [UInt8](repeating: 2, count: 1024),
                parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), tagLength: 1024,
                implementation: .libargon2)
            #expect(tag == reference, "\(implementation)")
        }
        // Stored hashes keep the tight PHC bounds.
        var stored = Argon2.Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
        stored.saltLength = 100
        #expect(throws: HashingError.self) { try stored.validate() }
    }
}
