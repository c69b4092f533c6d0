/// HOTP, the HMAC-based one-time password of RFC 4226, over HMAC-SHA1, -SHA256 or -SHA512.
///
/// The secret is absorbed into HMAC pad states once, at init; the generator holds those (wiped on release), never
/// the secret itself. Verification compares every candidate in a look-ahead window in constant time.
/// Replay protection, lockout and counter storage are the job of ``OneTimeCodeVerifier``.
public struct HOTP: Sendable {
    /// Secret lengths accepted, in bytes: 80 bits (still found in deployed authenticators; Deadbolt never
    /// generates fewer than 160, see ``OTPSecret``) up to 1024 bytes. RFC 4226 §4 asks at least 128 bits.
    public static let secretLengths = 10...1024
    /// Code lengths accepted (RFC 4226 §5.3: at least 6; at most 8 since truncation yields 31 bits).
    public static let digitRange = 6...8
    /// The largest look-ahead window (RFC 4226 §7.4 asks for a bounded one).
    public static let maximumLookAhead = 1000

    /// The hash inside HMAC.
    public let hash: HashFunction
    /// How many decimal digits a code has.
    public let digits: Int
    let key: OTPKeyState

    /// A generator for `secret`.
    /// - Throws: ``OTPError/secretLength(minimum:maximum:)`` or ``OTPError/digitsOutOfRange(_:)``.
    public init(secret: some ContiguousBytes, hash: HashFunction = .sha1, digits: Int = 6) throws {
        guard Self.digitRange.contains(digits) else { throw OTPError.digitsOutOfRange(digits) }
        self.hash = hash
        self.digits = digits
        key = try OTPKeyState(secret: secret, hash: hash)
    }

    /// The code for `counter`, zero-padded to ``digits`` (RFC 4226 §5.3).
    /// - Throws: ``OTPError/libcryptoFailure``.
    public func code(counter: UInt64) throws -> String {
        Self.format(try key.value(counter: counter, digits: digits), digits: digits)
    }

    /// Finds `code` at `counter`, or up to `lookAhead` counters after it (RFC 4226 §7.4), comparing the whole window
    /// in constant time. The window stops at `UInt64.max`. A code that is not exactly ``digits`` decimal digits
    /// (spaces ignored) matches nothing.
    /// - Returns: the matching counter and its drift from `counter`, or `nil`.
    /// - Throws: ``OTPError/windowOutOfRange(maximum:)`` or ``OTPError/libcryptoFailure``.
    public func match(_ code: String, counter: UInt64, lookAhead: Int = 0) throws -> OTPMatch? {
        try find([code], counter: counter, lookAhead: lookAhead)
    }

    /// Resynchronises a token that ran ahead (RFC 4226 §7.4): finds counters `c` and `c + 1` in
    /// `counter ... counter + lookAhead` whose codes are `first` and `second`.
    /// - Returns: the match for `second` (so the next expected counter is `counter + 1` of the result), or `nil`.
    /// - Throws: ``OTPError/windowOutOfRange(maximum:)`` or ``OTPError/libcryptoFailure``.
    public func resynchronize(first: String, second: String, counter: UInt64, lookAhead: Int) throws -> OTPMatch? {
        guard let found = try find([first, second], counter: counter, lookAhead: lookAhead) else { return nil }
        return OTPMatch(counter: found.counter + 1, drift: found.drift + 1)
    }

    private func find(_ codes: [String], counter: UInt64, lookAhead: Int) throws -> OTPMatch? {
        guard (0...Self.maximumLookAhead).contains(lookAhead) else {
            throw OTPError.windowOutOfRange(maximum: Self.maximumLookAhead)
        }
        var values: [UInt32] = []
        for code in codes {
            guard let value = Self.parse(code, digits: digits) else { return nil }
            values.append(value)
        }
        // Keep the last counter touched, counter + lookAhead + codes.count - 1, within UInt64.
        let room = UInt64.max - counter
        let extra = UInt64(values.count - 1)
        guard room >= extra else { return nil }
        let count = min(UInt64(lookAhead), room - extra) + 1
        guard let index = try key.find(values, first: counter, count: count, digits: digits) else { return nil }
        return OTPMatch(counter: counter + index, drift: Int64(index))
    }

    /// The value of `code` when it is exactly `digits` ASCII digits once spaces are dropped; `nil` otherwise.
    static func parse(_ code: String, digits: Int) -> UInt32? {
        guard code.utf8.count <= 32 else { return nil }
        var value: UInt32 = 0
        var count = 0
        for character in code.utf8 where character != UInt8(ascii: " ") {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
            count += 1
            guard count <= digits else { return nil }
            value = value * 10 + UInt32(character - UInt8(ascii: "0"))
        }
        return count == digits ? value : nil
    }

    static func format(_ value: UInt32, digits: Int) -> String {
        var text = Array(String(value).utf8)
        while text.count < digits { text.insert(UInt8(ascii: "0"), at: 0) }
        return String(decoding: text, as: UTF8.self)
    }
}
