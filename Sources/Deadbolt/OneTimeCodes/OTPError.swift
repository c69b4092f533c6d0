/// Why a one-time password generator could not be made or run. Never carries a secret or a code.
public enum OTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret is shorter than `minimum` or longer than `maximum` bytes (``HOTP/secretLengths``).
    case secretLength(minimum: Int, maximum: Int)
    /// The code length is outside 6...8 digits: RFC 4226 §5.3 asks at least 6, and dynamic truncation yields only
    /// 31 bits, so more than 8 digits would not be uniform (nor accepted by authenticator apps).
    case digitsOutOfRange(Int)
    /// The TOTP period is zero or longer than ``TOTP/maximumPeriod`` seconds.
    case periodOutOfRange(maximum: UInt64)
    /// A verification window or look-ahead is negative or larger than `maximum` steps.
    case windowOutOfRange(maximum: Int)
    /// The time is before the TOTP epoch `T0` (RFC 6238 §4.2), where no time step is defined.
    case timeBeforeEpoch
    /// OpenSSL libcrypto failed to compute an HMAC.
    case libcryptoFailure

    public var description: String {
        switch self {
        case .secretLength(let minimum, let maximum): "the OTP secret must be \(minimum) to \(maximum) bytes long"
        case .digitsOutOfRange(let digits): "an OTP has 6 to 8 digits, not \(digits)"
        case .periodOutOfRange(let maximum): "the TOTP period must be 1 to \(maximum) seconds"
        case .windowOutOfRange(let maximum): "an OTP window must be 0 to \(maximum) steps"
        case .timeBeforeEpoch: "the time is before the TOTP epoch T0"
        case .libcryptoFailure: "OpenSSL libcrypto failed to compute an OTP"
        }
    }
}

/// A code that matched: the counter (HOTP) or time step (TOTP) it belongs to, and its distance from the expected one.
public struct OTPMatch: Sendable, Equatable {
    /// The HOTP counter or TOTP time step the code was computed for.
    public let counter: UInt64
    /// `counter` minus the expected counter or current step: negative for a TOTP code from the past, positive for
    /// one from the future or for an HOTP token that ran ahead. A service may store it (RFC 6238 §6, RFC 4226 §7.4).
    public let drift: Int64

    /// A match.
    public init(counter: UInt64, drift: Int64) {
        self.counter = counter
        self.drift = drift
    }
}

/// How many steps before and after the current TOTP step a code may come from (RFC 6238 §5.2).
public struct OTPWindow: Sendable, Equatable {
    /// Steps in the past accepted (network delay, a slow typist).
    public var past: Int
    /// Steps in the future accepted (a phone clock running fast).
    public var future: Int

    /// A window; ``TOTP/match(_:at:window:)`` refuses negative sides and sides over ``TOTP/maximumWindow``.
    public init(past: Int, future: Int) {
        self.past = past
        self.future = future
    }

    /// One step each way, RFC 6238 §5.2's recommendation.
    public static let `default` = OTPWindow(past: 1, future: 1)
}
