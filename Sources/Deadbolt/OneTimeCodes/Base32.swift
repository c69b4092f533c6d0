/// RFC 4648 §6 base32, the encoding authenticator apps use for TOTP and HOTP secrets.
///
/// Output is canonical: upper case, and unpadded by default because Google Authenticator's Key URI format writes
/// secrets without `=` (pass `padded: true` for RFC 4648's padded form). Input is lenient about what people type
/// and what other generators emit: lower case, spaces, hyphens between groups, and missing or present `=` padding
/// are all accepted. It is strict about everything else: a character outside the alphabet, `=` anywhere but the
/// end, a length no byte string encodes to, and non-zero leftover bits (RFC 4648 §3.5) are refused.
public enum Base32 {
    /// The longest text ``decode(_:)`` reads (4096 characters, about 2.5 KiB of bytes): far above any OTP secret.
    public static let maximumEncodedLength = 4096

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// `bytes` in upper-case base32; with `=` padding to a multiple of eight characters when `padded`.
    public static func encode(_ bytes: some Collection<UInt8>, padded: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        if padded {
            while !output.count.isMultiple(of: 8) { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` spells, or `nil` when it is not base32 (see the type's rules) or is longer than
    /// ``maximumEncodedLength``. The caller owns the result; wipe it when it is a secret.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count <= maximumEncodedLength else { return nil }
        var values: [UInt8] = []
        values.reserveCapacity(utf8.count)
        defer { SecretBytes.wipe(&values) }
        var padding = 0
        for character in utf8 {
            if character == UInt8(ascii: " ") || character == UInt8(ascii: "-") { continue }
            if character == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding: `=` belongs only at the end.
            guard padding == 0, let value = value(of: character) else { return nil }
            values.append(value)
        }
        // RFC 4648 §6: the final quantum has 8, 7, 5, 4 or 2 characters; 1, 3 or 6 encode no whole byte.
        let remainder = values.count % 8
        guard remainder != 1, remainder != 3, remainder != 6 else { return nil }
        if padding > 0 {
            guard (values.count + padding).isMultiple(of: 8), padding < 8, remainder != 0 else { return nil }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits - 8)))
                bits -= 8
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // RFC 4648 §3.5: a canonical encoding leaves the unused bits zero.
        guard buffer == 0 else {
            SecretBytes.wipe(&bytes)
            return nil
        }
        return bytes
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): character - UInt8(ascii: "2") + 26
        default: nil
        }
    }
}
