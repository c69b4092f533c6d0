/// The base64 dialects found in stored password hashes (RFC 4648 §4 and two variants of it).
///
/// One codec serves all of them: the PHC string format's unpadded standard alphabet, passlib's "adapted base64"
/// (`.` in place of `+`, unpadded) and Django's padded standard base64. Decoding is strict: a character outside the
/// alphabet, padding where none belongs, or leftover bits that are not zero (a non-canonical encoding) all fail.
public struct Base64Dialect: Sendable, Equatable {
    /// The 64 alphabet characters in value order.
    let alphabet: [UInt8]
    /// Whether encoded text ends in `=` padding to a multiple of four characters.
    let padded: Bool

    /// The PHC string format's B64: standard alphabet, no padding (P-H-C/phc-string-format, "B64").
    public static let phc = Base64Dialect(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8), padded: false)
    /// passlib's adapted base64 (`passlib.utils.binary.ab64_encode`): `.` instead of `+`, no padding.
    public static let passlib = Base64Dialect(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./".utf8), padded: false)
    /// RFC 4648 §4 standard base64 with `=` padding, as Django stores its PBKDF2 hashes.
    public static let standard = Base64Dialect(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8), padded: true)

    /// Encodes `bytes` in this dialect.
    public func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let chunk = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            if second != nil { output.append(alphabet[Int(chunk >> 6 & 63)]) } else if padded { output.append(UInt8(ascii: "=")) }
            if third != nil { output.append(alphabet[Int(chunk & 63)]) } else if padded { output.append(UInt8(ascii: "=")) }
            if third == nil { break }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `text`, or returns `nil` when it is not the canonical encoding of some bytes in this dialect.
    public func decode(_ text: some StringProtocol) -> [UInt8]? {
        var characters = Array(text.utf8)
        if padded {
            guard characters.count.isMultiple(of: 4) else { return nil }
            var padding = 0
            while padding < 2, characters.last == UInt8(ascii: "=") {
                characters.removeLast()
                padding += 1
            }
        }
        // A single leftover character carries only 6 bits: no byte can end there.
        guard characters.count % 4 != 1 else { return nil }
        var values: [UInt8] = []
        values.reserveCapacity(characters.count)
        for character in characters {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            values.append(UInt8(value))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let chunk = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
                | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
            bytes.append(UInt8(chunk >> 16 & 0xff))
            bytes.append(UInt8(chunk >> 8 & 0xff))
            bytes.append(UInt8(chunk & 0xff))
            index += 4
        }
        switch values.count - index {
        case 2:
            guard values[index + 1] & 0x0f == 0 else { return nil }
            bytes.append(values[index] << 2 | values[index + 1] >> 4)
        case 3:
            guard values[index + 2] & 0x03 == 0 else { return nil }
            bytes.append(values[index] << 2 | values[index + 1] >> 4)
            bytes.append(values[index + 1] << 4 | values[index + 2] >> 2)
        default:
            break
        }
        return bytes
    }
}
