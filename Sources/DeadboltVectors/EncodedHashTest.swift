import Deadbolt

/// Deadbolt's `EncodedHashTest`, for interoperability: test `encoded` (a stored hash exactly as another tool wrote
/// it), `password` in hex, and `producer`. A `valid` test's password must verify against `encoded`; an `invalid`
/// one must not (a mismatch or a typed error).
public struct EncodedHashTest: VectorTestKind {
    public init() {}

    public var groupType: String { "EncodedHashTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        let verified = try await Argon2Test.verifies(try test.hex("password"), try test.string("encoded"))
        return expected.verdict(acceptedMatching: verified, refused: !verified)
    }
}
