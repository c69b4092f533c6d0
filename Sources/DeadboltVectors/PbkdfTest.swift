import Deadbolt

/// Wycheproof's `PbkdfTest` for PBKDF2-HMACSHA1/256/512: test `password` and `salt` in hex, `iterationCount`,
/// `dkLen` in bytes and the expected `dk` in hex.
public struct PbkdfTest: VectorTestKind {
    public init() {}

    public var groupType: String { "PbkdfTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        let algorithm = try file.string("algorithm")
        guard let hash = Self.hashes[algorithm] else {
            throw VectorError.badField("algorithm", expected: "PBKDF2-HMACSHA1, PBKDF2-HMACSHA256 or PBKDF2-HMACSHA512")
        }
        let expected = try ExpectedResult(of: test)
        let password = try test.hex("password")
        let salt = try test.hex("salt")
        let iterations = try test.integer("iterationCount")
        let keyLength = try test.int("dkLen")
        let derived = try test.hex("dk")
        guard iterations <= UInt64(UInt32.max) else { return expected.verdict(acceptedMatching: false, refused: true) }
        do {
            let key = try PBKDF2.deriveKey(
                password: password, salt: salt, hash: hash, iterations: UInt32(iterations), keyLength: keyLength)
            let matches = ConstantTime.equals(key, derived)
            return expected.verdict(acceptedMatching: matches, refused: !matches)
        } catch {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
    }

    static let hashes: [String: HashFunction] = [
        "PBKDF2-HMACSHA1": .sha1, "PBKDF2-HMACSHA256": .sha256, "PBKDF2-HMACSHA512": .sha512,
    ]
}
