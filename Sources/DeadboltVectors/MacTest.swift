import Deadbolt

/// Wycheproof's `MacTest` for HMAC-SHA1/256/512: group `keySize` and `tagSize` in bits, test `key`, `msg` and `tag`
/// in hex. A group's `tagSize` below the digest size means tags truncated to that many bits.
public struct MacTest: VectorTestKind {
    public init() {}

    public var groupType: String { "MacTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        let algorithm = try file.string("algorithm")
        guard let hash = Self.hashes[algorithm] else { throw VectorError.badField("algorithm", expected: "HMACSHA1, HMACSHA256 or HMACSHA512") }
        let expected = try ExpectedResult(of: test)
        let tagBits = try group.int("tagSize")
        let key = try test.hex("key")
        let message = try test.hex("msg")
        let tag = try test.hex("tag")
        let computed: [UInt8]
        do {
            computed = try HMAC.authenticationCode(for: message, using: key, hash: hash)
        } catch {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        // Wycheproof truncates to the group's tagSize; a test tag of another length cannot match.
        guard tagBits % 8 == 0, tagBits / 8 <= computed.count else {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
        let truncated = computed.prefix(tagBits / 8)
        let matches = tag.count == truncated.count && ConstantTime.equals(Array(truncated), tag)
        return expected.verdict(acceptedMatching: matches, refused: !matches)
    }

    static let hashes: [String: HashFunction] = ["HMACSHA1": .sha1, "HMACSHA256": .sha256, "HMACSHA512": .sha512]
}
