import Deadbolt

/// Deadbolt's `EncodedHashTest`, for interoperability: test `encoded` (a stored hash exactly as another tool wrote
/// it), `password` in hex, and `producer`. A `valid` test's password must verify against `encoded`; an `invalid`
/// one must not (a mismatch or a typed error); an `acceptable` one may be refused, but if it parses the password
/// must verify.
public struct EncodedHashTest: VectorTestKind {
    public init() {}

    public var groupType: String { "EncodedHashTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        return try await Argon2Test.verification(try test.hex("password"), try test.string("encoded")).verdict(expected)
    }
}
