import Deadbolt

/// Deadbolt's `TotpTest` (RFC 6238): test `secret` in hex, `time` in Unix seconds, `period` and `t0` in seconds,
/// `digits`, `hash` (`SHA1`, `SHA256` or `SHA512`) and the `expected` zero-padded code. A `valid` test must
/// produce `expected` (and verify it at that time); an `invalid` one (a zero period, a time before `t0`, digits
/// outside 6–8) must be refused. `time` and `t0` may be decimal strings for values past 2^53.
public struct TotpTest: VectorTestKind {
    public init() {}

    public var groupType: String { "TotpTest" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        let expected = try ExpectedResult(of: test)
        let secret = try test.hex("secret")
        let time = try test.wideInteger("time")
        let period = try test.wideInteger("period")
        let t0 = try test.wideInteger("t0")
        let digits = try test.int("digits")
        let hash = try test.hashFunction("hash")
        let code = try test.string("expected")
        do {
            let totp = try TOTP(secret: secret, hash: hash, digits: digits, period: period, t0: t0)
            let computed = try totp.code(at: time)
            let verified = try totp.match(code, at: time, window: OTPWindow(past: 0, future: 0)) != nil
            let matches = ConstantTime.equals(Array(computed.utf8), Array(code.utf8)) && verified
            return expected.verdict(acceptedMatching: matches, refused: false)
        } catch {
            return expected.verdict(acceptedMatching: false, refused: true)
        }
    }
}
