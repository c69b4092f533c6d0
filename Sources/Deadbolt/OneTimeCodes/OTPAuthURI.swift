/// An `otpauth://` Key URI, the enrollment format authenticator apps scan from a QR code (Google Authenticator's
/// Key-Uri-Format): `otpauth://TYPE/LABEL?PARAMETERS`.
///
/// The URI carries the secret, so this type is as sensitive as the secret: its `description` is redacted, and
/// ``uri`` should go only to the QR code the user scans. Building writes every parameter explicitly, the secret in
/// unpadded upper-case base32 (as Google Authenticator expects). Parsing is strict; see ``parse(_:)``.
public struct OTPAuthURI: Sendable, Equatable, CustomStringConvertible {
    /// HOTP or TOTP, with the parameter only that type has.
    public enum Kind: Sendable, Equatable {
        /// A time-based code (RFC 6238) with this period in seconds.
        case totp(period: UInt64)
        /// A counter-based code (RFC 4226) whose next counter is this.
        case hotp(counter: UInt64)
    }

    /// The longest URI built or parsed (2 KiB).
    public static let maximumLength = 2048
    /// The longest issuer or account name, in UTF-8 bytes.
    public static let maximumNameLength = 256

    /// TOTP or HOTP.
    public let kind: Kind
    /// The provider the account belongs to, or `nil`; never contains `:`.
    public let issuer: String?
    /// The account (a user name or e-mail address); not empty, never contains `:`.
    public let accountName: String
    /// The shared secret.
    public let secret: SecretBytes
    /// The hash inside HMAC.
    public let algorithm: HashFunction
    /// Digits per code, 6...8.
    public let digits: Int
    /// An image URL for the account (a FreeOTP extension), or `nil`.
    public let image: String?

    /// A URI for these parameters.
    /// - Throws: ``OTPAuthURIError`` when a name is empty, too long or holds `:`, the secret is outside
    ///   ``HOTP/secretLengths``, digits are outside 6...8 or the period outside 1...``TOTP/maximumPeriod``, or
    ///   the URI's text would be longer than ``maximumLength`` (names and image percent-encoded take up to three
    ///   times their bytes), so that every URI this type holds builds to text that ``parse(_:)`` reads back.
    public init(
        kind: Kind, issuer: String?, accountName: String, secret: SecretBytes, algorithm: HashFunction = .sha1,
        digits: Int = 6, image: String? = nil
    ) throws {
        if let issuer { try Self.checkName(issuer, isIssuer: true) }
        try Self.checkName(accountName, isIssuer: false)
        guard HOTP.secretLengths.contains(secret.count) else {
            throw OTPAuthURIError.secretLength(
                minimum: HOTP.secretLengths.lowerBound, maximum: HOTP.secretLengths.upperBound)
        }
        guard HOTP.digitRange.contains(digits) else { throw OTPAuthURIError.invalidDigits }
        if case .totp(let period) = kind, period < 1 || period > TOTP.maximumPeriod { throw OTPAuthURIError.invalidPeriod }
        if let image, image.utf8.count > Self.maximumLength { throw OTPAuthURIError.tooLong(maximum: Self.maximumLength) }
        self.kind = kind
        self.issuer = issuer
        self.accountName = accountName
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.image = image
        // Measured with a stand-in of the encoded secret's length, so the check leaves no copy of the secret.
        let placeholder = String(repeating: "A", count: (secret.count * 8 + 4) / 5)
        guard text(encodedSecret: placeholder).utf8.count <= Self.maximumLength else {
            throw OTPAuthURIError.tooLong(maximum: Self.maximumLength)
        }
    }

    /// A new TOTP enrollment: a fresh secret (``OTPSecret/generate(for:)``) for `accountName` at `issuer`.
    /// - Throws: ``OTPAuthURIError`` as ``init(kind:issuer:accountName:secret:algorithm:digits:image:)`` does, or
    ///   ``RandomError/unavailable``.
    public static func newTOTP(
        issuer: String, accountName: String, algorithm: HashFunction = .sha1, digits: Int = 6,
        period: UInt64 = TOTP.defaultPeriod
    ) throws -> OTPAuthURI {
        try OTPAuthURI(
            kind: .totp(period: period), issuer: issuer, accountName: accountName,
            secret: try OTPSecret.generate(for: algorithm), algorithm: algorithm, digits: digits)
    }

    /// The URI text: `otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=…&digits=…&period=…`, names
    /// percent-encoded (RFC 3986 §2.1, everything but unreserved characters). It holds the secret.
    public var uri: String {
        text(encodedSecret: secret.withUnsafeBytes { Base32.encode($0) })
    }

    /// The URI's text around the secret as given, already base32-encoded.
    private func text(encodedSecret: String) -> String {
        var text = "otpauth://"
        switch kind {
        case .totp: text += "totp/"
        case .hotp: text += "hotp/"
        }
        if let issuer { text += Self.percentEncode(issuer) + ":" }
        text += Self.percentEncode(accountName)
        text += "?secret=" + encodedSecret
        if let issuer { text += "&issuer=" + Self.percentEncode(issuer) }
        text += "&algorithm=" + algorithm.rawValue + "&digits=\(digits)"
        switch kind {
        case .totp(let period): text += "&period=\(period)"
        case .hotp(let counter): text += "&counter=\(counter)"
        }
        if let image { text += "&image=" + Self.percentEncode(image) }
        return text
    }

    /// A TOTP generator for this URI; `nil` for an HOTP URI.
    /// - Throws: ``OTPError`` (not expected: the URI's parameters were checked).
    public func totp() throws -> TOTP? {
        guard case .totp(let period) = kind else { return nil }
        return try TOTP(secret: secret, hash: algorithm, digits: digits, period: period)
    }

    /// An HOTP generator for this URI (a TOTP URI's secret, hash and digits, too).
    /// - Throws: ``OTPError`` (not expected: the URI's parameters were checked).
    public func hotp() throws -> HOTP {
        try HOTP(secret: secret, hash: algorithm, digits: digits)
    }

    /// Parameters that common authenticator apps silently ignore, so the app would show wrong codes: Google
    /// Authenticator (some versions) uses SHA-1, 6 digits and 30 seconds whatever the URI says. Empty when the
    /// URI uses only those defaults. Check it at enrollment and confirm the first code before relying on it.
    public var compatibilityWarnings: [OTPCompatibilityWarning] {
        var warnings: [OTPCompatibilityWarning] = []
        if algorithm != .sha1 { warnings.append(.algorithmOftenIgnored(algorithm)) }
        if digits != 6 { warnings.append(.digitsOftenIgnored(digits)) }
        if case .totp(let period) = kind, period != TOTP.defaultPeriod { warnings.append(.periodOftenIgnored(period)) }
        return warnings
    }

    /// A redacted text: the type, issuer and account, never the secret.
    public var description: String {
        let type = if case .totp = kind { "totp" } else { "hotp" }
        return "OTPAuthURI(\(type), issuer: \(issuer ?? "none"), account: \(accountName), secret redacted)"
    }

    /// Equal parameters and secrets (the secrets compared in constant time).
    public static func == (a: OTPAuthURI, b: OTPAuthURI) -> Bool {
        let secretsEqual = ConstantTime.equals(a.secret, b.secret)
        return a.kind == b.kind && a.issuer == b.issuer && a.accountName == b.accountName && a.algorithm == b.algorithm
            && a.digits == b.digits && a.image == b.image && secretsEqual
    }

    private static func checkName(_ name: String, isIssuer: Bool) throws {
        guard !name.isEmpty else { throw isIssuer ? OTPAuthURIError.invalidIssuer : OTPAuthURIError.missingAccountName }
        guard name.utf8.count <= maximumNameLength else { throw OTPAuthURIError.tooLong(maximum: maximumNameLength) }
        guard !name.contains(":") else { throw OTPAuthURIError.colonInName }
    }

    static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            // RFC 3986 §2.3 unreserved characters.
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// An enrollment parameter that common authenticator apps may silently ignore.
public enum OTPCompatibilityWarning: Sendable, Equatable, CustomStringConvertible {
    /// An algorithm other than SHA1: some apps compute SHA-1 codes anyway.
    case algorithmOftenIgnored(HashFunction)
    /// Digits other than 6: some apps show 6-digit codes anyway.
    case digitsOftenIgnored(Int)
    /// A period other than 30 s: some apps use 30 s anyway.
    case periodOftenIgnored(UInt64)

    public var description: String {
        switch self {
        case .algorithmOftenIgnored(let hash): "algorithm \(hash.rawValue) is ignored by some authenticator apps, which use SHA1"
        case .digitsOftenIgnored(let digits): "\(digits) digits are ignored by some authenticator apps, which show 6"
        case .periodOftenIgnored(let period): "a \(period) s period is ignored by some authenticator apps, which use 30 s"
        }
    }
}

/// What is wrong with an `otpauth://` URI. Never carries the secret.
public enum OTPAuthURIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Longer than `maximum` bytes (the URI, or a name in it).
    case tooLong(maximum: Int)
    /// Not `otpauth://TYPE/LABEL?…`: a wrong scheme, no label, a fragment, or no query.
    case malformed(String)
    /// The type is neither `totp` nor `hotp`.
    case unknownType
    /// A `%` not followed by two hex digits, or percent-decoded bytes that are not UTF-8.
    case badPercentEncoding
    /// The label has no account name.
    case missingAccountName
    /// An issuer or account name holds a `:` of its own (the label allows one, between them).
    case colonInName
    /// The `issuer` parameter is empty.
    case invalidIssuer
    /// The `issuer` parameter and the label's issuer prefix differ.
    case issuerMismatch
    /// A parameter appears more than once; the name says which.
    case duplicateParameter(String)
    /// A parameter is not `name=value`.
    case malformedParameter
    /// A parameter that the URI's type does not have: `period` on `hotp`, `counter` on `totp`.
    case parameterNotApplicable(String)
    /// No `secret` parameter, or an empty one.
    case missingSecret
    /// The secret is not base32.
    case invalidSecret
    /// The decoded secret is outside `minimum...maximum` bytes.
    case secretLength(minimum: Int, maximum: Int)
    /// `algorithm` is not SHA1, SHA256 or SHA512.
    case unknownAlgorithm
    /// `digits` is not 6, 7 or 8.
    case invalidDigits
    /// `period` is not a whole number of seconds from 1 to ``TOTP/maximumPeriod``.
    case invalidPeriod
    /// `counter` is not a non-negative integer that fits 64 bits.
    case invalidCounter
    /// An `hotp` URI without `counter`.
    case missingCounter

    public var description: String {
        switch self {
        case .tooLong(let maximum): "the otpauth URI or a name in it is longer than \(maximum) bytes"
        case .malformed(let reason): "not an otpauth URI: \(reason)"
        case .unknownType: "the otpauth type must be totp or hotp"
        case .badPercentEncoding: "bad percent-encoding: '%' must precede two hex digits of UTF-8 text"
        case .missingAccountName: "the label has no account name"
        case .colonInName: "an issuer or account name may not contain ':'"
        case .invalidIssuer: "the issuer parameter is empty"
        case .issuerMismatch: "the issuer parameter differs from the label's issuer prefix"
        case .duplicateParameter(let name): "the parameter '\(name)' appears more than once"
        case .malformedParameter: "a parameter is not name=value"
        case .parameterNotApplicable(let name): "the parameter '\(name)' does not belong to this otpauth type"
        case .missingSecret: "the secret parameter is missing"
        case .invalidSecret: "the secret is not base32 (RFC 4648 §6)"
        case .secretLength(let minimum, let maximum): "the secret must be \(minimum) to \(maximum) bytes"
        case .unknownAlgorithm: "the algorithm must be SHA1, SHA256 or SHA512"
        case .invalidDigits: "digits must be 6, 7 or 8"
        case .invalidPeriod: "the period must be a whole number of seconds from 1 to \(TOTP.maximumPeriod)"
        case .invalidCounter: "the counter must be a non-negative integer below 2^64"
        case .missingCounter: "an hotp URI needs a counter"
        }
    }
}
