import Deadbolt

/// Deadbolt's `Argon2Test`: test `variant`, `version` (16 or 19; another number only in a test that expects a
/// refusal), `password`, `salt`, `secret` and `ad` in hex (the last two may be empty), `t`, `m` (KiB), `p`,
/// `tagLength`, the expected `tag` in hex (may be empty), and `encoded`, a PHC string (may be empty).
///
/// What a test checks depends on what it gives, as in Wycheproof's files:
/// - `tag` (and perhaps `encoded`): the raw function must produce `tag` from the raw fields, and `encoded` must say
///   exactly what the raw fields say and verify with `password`. An `invalid` test with `encoded` has its defect in
///   `encoded`, which must fail to parse or to verify.
/// - `encoded` and no `tag` (verify only): `password` must verify against `encoded` (`valid`), must not (`invalid`),
///   or may be refused but, if accepted, must verify (`acceptable`).
/// - neither (parameters only, `invalid` or `acceptable`): computing with those parameters must be refused with a
///   typed error (`invalid`); `acceptable` allows either.
public struct Argon2Test: VectorTestKind {
    public init() {}

    public var groupType: String { "Argon2Test" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        guard let variant = Argon2.Variant(rawValue: try test.string("variant")) else {
            throw VectorError.badField("variant", expected: "argon2d, argon2i or argon2id")
        }
        let versionNumber = try test.uint32("version")
        let password = try test.hex("password")
        let encoded = try test.string("encoded")
        let expectedTag = try test.hex("tag")

        if expectedTag.isEmpty && encoded.isEmpty {
            guard expected != .valid else {
                throw VectorError.badField("tag", expected: "a tag or an encoded string in a valid test")
            }
            let computed = try Self.computes(
                variant, versionNumber, password: password, test: test)
            return expected.verdict(acceptedMatching: computed, refused: !computed)
        }
        if expectedTag.isEmpty || (expected == .invalid && !encoded.isEmpty) {
            return try await Self.verification(password, encoded).verdict(expected)
        }

        guard let version = Argon2.Version(rawValue: versionNumber) else {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        let parameters = Argon2.Parameters(
            variant: variant, version: version, memoryKiB: try test.uint32("m"), iterations: try test.uint32("t"),
            parallelism: try test.uint32("p"))
        let salt = try test.hex("salt")
        let associatedData = try test.hex("ad")
        let tag: [UInt8]
        do {
            tag = try Argon2.hash(
                password: password, salt: salt, secret: try test.hex("secret"), associatedData: associatedData,
                parameters: parameters, tagLength: try test.int("tagLength"))
        } catch is HashingError {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        guard ConstantTime.equals(tag, expectedTag) else {
            return expected.verdict(acceptedMatching: false, refused: false)
        }
        guard !encoded.isEmpty else { return expected.verdict(acceptedMatching: true, refused: false) }
        // The encoding must say exactly what the raw fields say ...
        guard let stored = try? StoredHash(parsing: encoded) else {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        var described = parameters
        described.saltLength = stored.salt.count
        described.tagLength = stored.output.count
        guard stored.algorithm == .argon2(described), stored.salt == salt, stored.output == tag,
            stored.associatedData == associatedData
        else { return expected.verdict(acceptedMatching: false, refused: false) }
        // ... and verify with the password.
        return try await Self.verification(password, encoded).verdict(expected)
    }

    /// Whether Argon2 computes a tag from the test's parameters rather than refusing them with a typed error. A
    /// version Deadbolt does not know is a refusal: it cannot even be asked for.
    static func computes(
        _ variant: Argon2.Variant, _ versionNumber: UInt32, password: [UInt8], test: VectorObject
    ) throws -> Bool {
        guard let version = Argon2.Version(rawValue: versionNumber) else { return false }
        let parameters = Argon2.Parameters(
            variant: variant, version: version, memoryKiB: try test.uint32("m"), iterations: try test.uint32("t"),
            parallelism: try test.uint32("p"))
        do {
            _ = try Argon2.hash(
                password: password, salt: try test.hex("salt"), secret: try test.hex("secret"),
                associatedData: try test.hex("ad"), parameters: parameters, tagLength: try test.int("tagLength"))
            return true
        } catch is HashingError {
            return false
        }
    }

    /// What checking `password` against the stored hash `encoded` gave.
    enum Verification {
        /// It parsed and the password verified.
        case match
        /// It parsed, but the password did not verify.
        case mismatch
        /// It was refused with a typed error (malformed, out of bounds, needs a key).
        case refused

        func verdict(_ expected: ExpectedResult) -> VectorVerdict {
            expected.verdict(acceptedMatching: self == .match, refused: self == .refused)
        }
    }

    /// Checks `password` against `encoded` through the hasher, as a service would. The hasher refuses an empty
    /// password by policy (Argon2 itself allows it), so an empty one is checked by recomputing the tag from what the
    /// string says.
    static func verification(_ password: [UInt8], _ encoded: String) async throws -> Verification {
        guard !password.isEmpty else { return emptyPasswordVerification(encoded) }
        let hasher = try PasswordHasher(for: .password, keyring: nil, pool: vectorPool)
        do {
            return try await hasher.verify(SecretBytes(password), against: encoded).isMatch ? .match : .mismatch
        } catch let error as HashingError {
            guard case .overloaded = error else { return .refused }
            throw error
        }
    }

    private static func emptyPasswordVerification(_ encoded: String) -> Verification {
        guard let stored = try? StoredHash(parsing: encoded), case .argon2(let parameters) = stored.algorithm,
            stored.pepperKeyID == nil, parameters.memoryBytes <= vectorPoolBudget
        else { return .refused }
        guard
            let tag = try? Argon2.hash(
                password: [UInt8](), salt: stored.salt, associatedData: stored.associatedData, parameters: parameters,
                tagLength: stored.output.count)
        else { return .refused }
        return ConstantTime.equals(tag, stored.output) ? .match : .mismatch
    }
}

/// Vector tests hash one at a time with a generous budget: the widest vector must fit, and nothing else runs.
let vectorPoolBudget = 1 << 30
let vectorPool = HashingPool(workerCount: 1, memoryBudgetBytes: vectorPoolBudget, admissionTimeout: .seconds(600))
