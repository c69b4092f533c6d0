import Deadbolt

/// Deadbolt's `Argon2Test`: test `variant`, `version` (16 or 19), `password`, `salt`, `secret` and `ad` in hex
/// (the last two may be empty), `t`, `m` (KiB), `p`, `tagLength`, the expected `tag` in hex, and `encoded`, a PHC
/// string or empty. A `valid` test must produce `tag`, and its `encoded` string (if any) must verify with
/// `password`; for an `invalid` test, `encoded` must fail to parse or to verify.
public struct Argon2Test: VectorTestKind {
    public init() {}

    public var groupType: String { "Argon2Test" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        guard let variant = Argon2.Variant(rawValue: try test.string("variant")) else {
            throw VectorError.badField("variant", expected: "argon2d, argon2i or argon2id")
        }
        guard let version = Argon2.Version(rawValue: try test.uint32("version")) else {
            throw VectorError.badField("version", expected: "16 or 19")
        }
        let password = try test.hex("password")
        let encoded = try test.string("encoded")
        if expected == .invalid {
            // The defect is in the encoding: it must not parse, or must not verify.
            guard !encoded.isEmpty else { throw VectorError.badField("encoded", expected: "a PHC string in an invalid test") }
            return expected.verdict(acceptedMatching: try await Self.verifies(password, encoded), refused: true)
        }
        let parameters = Argon2.Parameters(
            variant: variant, version: version, memoryKiB: try test.uint32("m"), iterations: try test.uint32("t"),
            parallelism: try test.uint32("p"))
        let tag: [UInt8]
        do {
            tag = try Argon2.hash(
                password: password, salt: try test.hex("salt"), secret: try test.hex("secret"),
                associatedData: try test.hex("ad"), parameters: parameters, tagLength: try test.int("tagLength"))
        } catch let error as VectorError {
            throw error
        } catch {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        guard ConstantTime.equals(tag, try test.hex("tag")) else {
            return expected.verdict(acceptedMatching: false, refused: false)
        }
        guard !encoded.isEmpty else { return .passed }
        // The encoding must say exactly what the raw fields say ...
        guard let stored = try? StoredHash(parsing: encoded) else {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        var described = parameters
        described.saltLength = stored.salt.count
        described.tagLength = stored.output.count
        guard stored.algorithm == .argon2(described), stored.salt == (try test.hex("salt")), stored.output == tag,
            stored.associatedData == (try test.hex("ad"))
        else { return expected.verdict(acceptedMatching: false, refused: false) }
        // ... and verify through the hasher, which refuses empty secrets by policy (Argon2 itself allows them).
        guard !password.isEmpty else { return .passed }
        let verified = try await Self.verifies(password, encoded)
        return expected.verdict(acceptedMatching: verified, refused: !verified)
    }

    /// Whether `encoded` parses and verifies `password` (a typed error counts as no).
    static func verifies(_ password: [UInt8], _ encoded: String) async throws -> Bool {
        let hasher = try PasswordHasher(for: .password, keyring: nil, pool: vectorPool)
        do {
            return try await hasher.verify(SecretBytes(password), against: encoded).isMatch
        } catch let error as HashingError {
            guard case .overloaded = error else { return false }
            throw error
        }
    }
}

/// Vector tests hash one at a time with a generous budget: the widest vector must fit, and nothing else runs.
let vectorPool = HashingPool(workerCount: 1, memoryBudgetBytes: 1 << 30, admissionTimeout: .seconds(600))
