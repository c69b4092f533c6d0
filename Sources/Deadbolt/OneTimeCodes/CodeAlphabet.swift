/// Uniform random codes over a small alphabet, for SMS/e-mail codes and recovery codes.
public enum CodeAlphabet {
    /// The ten decimal digits.
    public static let digits = Array("0123456789".utf8)
    /// 31 symbols no reader confuses: digits 2–9 and upper-case letters without I, L and O (0, 1, O, I, L
    /// look alike in many fonts). Every symbol carries log2(31) ≈ 4.95 bits.
    public static let unambiguous = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ".utf8)

    /// `length` symbols drawn independently and uniformly from `alphabet` (2 to 256 symbols) by rejection sampling:
    /// a random byte is used only when it is below the largest multiple of the alphabet size that fits in a byte,
    /// so there is no modulo bias. Bytes come from the CSPRNG in bulk, and the buffer is wiped afterwards.
    /// - Throws: ``RandomError/unavailable``.
    static func draw(length: Int, from alphabet: [UInt8]) throws -> String {
        let size = alphabet.count
        let limit = 256 - 256 % size
        var symbols: [UInt8] = []
        symbols.reserveCapacity(length)
        // Twice the length is almost always enough (the worst alphabet here rejects 8 of 256 bytes).
        var pool = [UInt8](repeating: 0, count: max(2 * length, 16))
        defer { SecretBytes.wipe(&pool) }
        while symbols.count < length {
            try SecureRandom.fill(&pool)
            for byte in pool where Int(byte) < limit && symbols.count < length {
                symbols.append(alphabet[Int(byte) % size])
            }
        }
        defer { SecretBytes.wipe(&symbols) }
        return String(decoding: symbols, as: UTF8.self)
    }

    /// A typed code as compared: upper case, spaces and hyphens dropped; `nil` when longer than 64 bytes.
    static func normalize(_ code: String) -> [UInt8]? {
        guard code.utf8.count <= 64 else { return nil }
        var bytes: [UInt8] = []
        for byte in code.utf8 where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "-") {
            bytes.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
        }
        return bytes
    }
}

/// The server key under which codes are stored as keyed hashes (HMAC-SHA256), never as themselves, so a dump of
/// the state store yields no usable code. Keep it outside the store (a secrets manager); 32 bytes or more.
public struct CodeHashingKey: Sendable, CustomStringConvertible {
    let key: SecretBytes

    /// A key of at least 32 bytes.
    /// - Throws: ``OneTimeCodeError/hashingKeyTooShort(minimum:)``.
    public init(_ key: SecretBytes) throws {
        guard key.count >= 32, key.count <= 1024 else { throw OneTimeCodeError.hashingKeyTooShort(minimum: 32) }
        self.key = key
    }

    /// The length only.
    public var description: String { "CodeHashingKey(\(key.count) bytes)" }

    /// HMAC-SHA256 over a domain label and length-prefixed fields, so no two field lists hash alike.
    func digest(domain: String, _ fields: [[UInt8]]) throws -> [UInt8] {
        var message = Array(domain.utf8)
        for field in fields {
            let length = UInt32(truncatingIfNeeded: field.count)
            message += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            message += field
        }
        defer { SecretBytes.wipe(&message) }
        return try HMAC.authenticationCode(for: message, using: key, hash: .sha256)
    }
}

/// Why a code could not be issued or checked. Never carries a code or a secret.
public enum OneTimeCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code hashing key is shorter than `minimum` bytes (or longer than 1024).
    case hashingKeyTooShort(minimum: Int)
    /// The code format asks a length outside its range: numeric 6...10 digits, alphanumeric 6...16 symbols.
    case invalidFormat
    /// A recovery code set of fewer than 1 or more than ``RecoveryCodes/maximumCount`` codes was asked for.
    case invalidCount
    /// A lifetime, cooldown or try count is not positive.
    case invalidPolicy(String)

    public var description: String {
        switch self {
        case .hashingKeyTooShort(let minimum): "the code hashing key must be \(minimum) to 1024 bytes"
        case .invalidFormat: "a numeric code has 6 to 10 digits, an alphanumeric one 6 to 16 symbols"
        case .invalidCount: "a recovery code set has 1 to \(RecoveryCodes.maximumCount) codes"
        case .invalidPolicy(let reason): "invalid code policy: \(reason)"
        }
    }
}
