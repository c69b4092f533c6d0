import Deadbolt
import DeadboltVectors
import Foundation
import FuzzSupport

/// The vector file reader: a file that parses re-encodes to JSON that parses equal; running it counts every test
/// of every group exactly once (passed, failed or malformed), or reports the file as unrunnable. The kinds that
/// compute are limited to cheap ones (MAC, HOTP, TOTP, otpauth URIs); Argon2, PBKDF2 and stored-hash tests, whose
/// cost the file sets, go to a kind that reads every field of the test through the same field readers instead.
@main enum FuzzVectorFile {
    static let runner = VectorRunner(kinds: [
        MacTest(), HotpTest(), TotpTest(), OtpauthUriTest(), FieldReadingTest(groupType: "Argon2Test"),
        FieldReadingTest(groupType: "PbkdfTest"), FieldReadingTest(groupType: "EncodedHashTest"),
    ])

    static func main() {
        runFuzzer { bytes in
            let data = Data(bytes)
            guard let file = try? VectorRunner.parse(data, path: "fuzz") else { return }
            let value = JSONValue.object(file.fields)
            if let encoded = try? JSONEncoder().encode(value) {
                require((try? JSONDecoder().decode(JSONValue.self, from: encoded)) == value, "re-encoded JSON decodes equal")
            }
            let report = blocking { await runner.run(contents: data, path: "fuzz") }
            guard report.error == nil else { return }
            let tests = (try? file.objects("testGroups"))?.reduce(0) { $0 + ((try? $1.objects("tests"))?.count ?? 0) }
            require(report.passed + report.failures.count == tests, "every test is counted once")
        }
    }
}

/// Reads every field of a test with the runner's typed readers, computing nothing.
struct FieldReadingTest: VectorTestKind {
    let groupType: String

    func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict {
        _ = try ExpectedResult(of: test)
        for (name, value) in test.fields {
            switch value {
            case .string: _ = try? test.hex(name); _ = try test.string(name)
            case .integer: _ = try? test.uint32(name); _ = try? test.int(name); _ = try test.integer(name)
            case .array: _ = try? test.objects(name)
            case .object: _ = try test.object(name)
            case .null: require(!test.has(name), "null counts as absent")
            case .bool, .number: break
            }
        }
        return .passed
    }
}
