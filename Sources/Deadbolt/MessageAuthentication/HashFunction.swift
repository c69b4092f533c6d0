import CDeadbolt

/// The hash functions Deadbolt uses inside HMAC, PBKDF2 and one-time passwords.
public enum HashFunction: String, Sendable, CaseIterable, Codable {
    /// SHA-1 (FIPS 180-4). Still sound inside HMAC; the default of RFC 4226/6238 authenticators.
    case sha1 = "SHA1"
    /// SHA-256 (FIPS 180-4).
    case sha256 = "SHA256"
    /// SHA-512 (FIPS 180-4).
    case sha512 = "SHA512"

    /// The digest length in bytes: 20, 32 or 64.
    public var digestSize: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The input block length in bytes: 64, or 128 for SHA-512.
    public var blockSize: Int { self == .sha512 ? 128 : 64 }

    var shimValue: dbt_hash {
        switch self {
        case .sha1: DBT_SHA1
        case .sha256: DBT_SHA256
        case .sha512: DBT_SHA512
        }
    }
}
