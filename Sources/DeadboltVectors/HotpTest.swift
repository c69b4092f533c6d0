import Deadbolt

/// Deadbolt's `HotpTest` (RFC 4226): test `secret` in hex, `counter`, `digits`, `hash` (`SHA1`, `SHA256` or
/// `SHA512`) and the `expected` zero-padded code. A `valid` test must produce `expected`; an `invalid` one (a
/// secret too short, digits outside 6–8) must be refused. `counter` may be a JSON number or, for values past 2^53
/// that a JSON number cannot hold exactly, a decimal string.
public struct HotpTest: VectorTestKind {
    public init() {}

    public var groupType: String { "HotpTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        let secret = try test.hex("secret")
        let counter = try test.wideInteger("counter")
        let digits = try test.int("digits")
        let hash = try test.hashFunction("hash")
        let code = try test.string("expected")
        do {
            let hotp = try HOTP(secret: secret, hash: hash, digits: digits)
            let computed = try hotp.code(counter: counter)
            let matches = ConstantTime.equals(Array(computed.utf8), Array(code.utf8))
            return expected.verdict(acceptedMatching: matches, refused: false)
        } catch {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
    }
}

extension VectorObject {
    /// A non-negative integer field up to `UInt64.max`: a JSON number (exact up to 2^53) or a decimal string.
    func wideInteger(_ name: String) throws -> UInt64 {
        if case .string(let text)? = fields[name] {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = UInt64(text)
            else { throw VectorError.badField(name, expected: "a non-negative integer below 2^64") }
            return value
        }
        return try integer(name)
    }

    /// A wide integer field that may be absent or `null`.
    func optionalWideInteger(_ name: String) throws -> UInt64? {
        has(name) ? try wideInteger(name) : nil
    }

    /// A hash name field: `SHA1`, `SHA256` or `SHA512`.
    func hashFunction(_ name: String) throws -> HashFunction {
        guard let hash = HashFunction(rawValue: try string(name)) else {
            throw VectorError.badField(name, expected: "SHA1, SHA256 or SHA512")
        }
        return hash
    }
}
