/// TOTP, the time-based one-time password of RFC 6238: HOTP over the time step `(t - T0) / period`.
///
/// Times are Unix seconds as `UInt64`, so times past 2^32 (the year 2106) work; a time before `T0` is refused.
public struct TOTP: Sendable {
    /// RFC 6238 §5.2's recommended period, and the only one some authenticator apps honour.
    public static let defaultPeriod: UInt64 = 30
    /// The longest period accepted: one day.
    public static let maximumPeriod: UInt64 = 86_400
    /// The most steps accepted on either side of the current step.
    public static let maximumWindow = 100

    /// The HOTP generator underneath (its secret, hash and digits).
    public let generator: HOTP
    /// The time step length in seconds (RFC 6238 §4.1 "X").
    public let period: UInt64
    /// The Unix time steps are counted from (RFC 6238 §4.1 "T0").
    public let t0: UInt64

    /// The hash inside HMAC.
    public var hash: HashFunction { generator.hash }
    /// How many decimal digits a code has.
    public var digits: Int { generator.digits }

    /// A generator for `secret`.
    /// - Throws: ``OTPError/secretLength(minimum:maximum:)``, ``OTPError/digitsOutOfRange(_:)`` or
    ///   ``OTPError/periodOutOfRange(maximum:)``.
    public init(
        secret: some ContiguousBytes, hash: HashFunction = .sha1, digits: Int = 6, period: UInt64 = defaultPeriod,
        t0: UInt64 = 0
    ) throws {
        guard period >= 1, period <= Self.maximumPeriod else {
            throw OTPError.periodOutOfRange(maximum: Self.maximumPeriod)
        }
        generator = try HOTP(secret: secret, hash: hash, digits: digits)
        self.period = period
        self.t0 = t0
    }

    /// The time step at `unixTime` (RFC 6238 §4.2).
    /// - Throws: ``OTPError/timeBeforeEpoch``.
    public func step(at unixTime: UInt64) throws -> UInt64 {
        guard unixTime >= t0 else { throw OTPError.timeBeforeEpoch }
        return (unixTime - t0) / period
    }

    /// The code at `unixTime`.
    /// - Throws: ``OTPError/timeBeforeEpoch`` or ``OTPError/libcryptoFailure``.
    public func code(at unixTime: UInt64) throws -> String {
        try generator.code(counter: try step(at: unixTime))
    }

    /// Finds `code` among the steps from `window.past` before to `window.future` after the step at `unixTime`,
    /// comparing every candidate in constant time. The window is clipped at step 0 and at `UInt64.max`.
    /// - Returns: the matching step and its drift from the current step (negative: from the past), or `nil`.
    /// - Throws: ``OTPError/windowOutOfRange(maximum:)``, ``OTPError/timeBeforeEpoch`` or
    ///   ``OTPError/libcryptoFailure``.
    public func match(_ code: String, at unixTime: UInt64, window: OTPWindow = .default) throws -> OTPMatch? {
        guard (0...Self.maximumWindow).contains(window.past), (0...Self.maximumWindow).contains(window.future) else {
            throw OTPError.windowOutOfRange(maximum: Self.maximumWindow)
        }
        let current = try step(at: unixTime)
        let first = current - min(UInt64(window.past), current)
        let last = current + min(UInt64(window.future), UInt64.max - current)
        guard let value = HOTP.parse(code, digits: digits) else { return nil }
        let (found, index) = try generator.key.search([value], first: first, count: last - first + 1, digits: digits)
        // The same work whether a step matched, and which: the window search is constant-time in C, and branches
        // here on the outcome or on the sign of the drift showed in the timing test (scripts/timing).
        let matched = first &+ index
        let result = OTPMatch(counter: matched, drift: Int64(bitPattern: matched &- current))
        return found ? result : nil
    }
}
