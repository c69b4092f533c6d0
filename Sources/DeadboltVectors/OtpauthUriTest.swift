import Deadbolt

/// Deadbolt's `OtpauthUriTest` (Google Authenticator's Key-Uri-Format): test `uri` and an `expected` object with
/// `type` (`totp`/`hotp`), `issuer` (`null` when absent), `accountName`, `secret` in hex, `algorithm`, `digits`,
/// `period` (`null` for hotp) and `counter` (`null` for totp). A `valid` test must parse to exactly `expected`; an
/// `invalid` one must be refused (its `expected` may be absent); an `acceptable` one may be refused, but if it
/// parses it must parse to `expected`. Unknown extra fields are ignored. `counter` may be a decimal string.
public struct OtpauthUriTest: VectorTestKind {
    public init() {}

    public var groupType: String { "OtpauthUriTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        let result = try ExpectedResult(of: test)
        let text = try test.string("uri")
        let parsed: OTPAuthURI
        do {
            parsed = try OTPAuthURI.parse(text)
        } catch {
            return result.verdict(acceptedMatching: false, refused: true)
        }
        guard test.has("expected") else {
            // Nothing to compare an acceptance with: only an invalid test may omit `expected`, and it was accepted.
            return result == .invalid ? .failed("accepted an invalid test") : .failed("the test has no expected object")
        }
        let expected = try test.object("expected")
        let matches = try Self.matches(parsed, expected)
        return result.verdict(acceptedMatching: matches, refused: false)
    }

    static func matches(_ uri: OTPAuthURI, _ expected: VectorObject) throws -> Bool {
        let type: String
        let period: UInt64?
        let counter: UInt64?
        switch uri.kind {
        case .totp(let value):
            (type, period, counter) = ("totp", value, nil)
        case .hotp(let value):
            (type, period, counter) = ("hotp", nil, value)
        }
        let secret = try expected.hex("secret")
        return try type == expected.string("type")
            && uri.issuer == expected.optionalString("issuer")
            && uri.accountName == expected.string("accountName")
            && ConstantTime.equals(uri.secret, secret)
            && uri.algorithm.rawValue == expected.string("algorithm")
            && UInt64(uri.digits) == expected.integer("digits")
            && period == expected.optionalWideInteger("period")
            && counter == expected.optionalWideInteger("counter")
    }
}
